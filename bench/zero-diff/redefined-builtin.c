/* the program defines a library function; gcc folds the plain build's call as the builtin */
void abort(void);
long long llabs(long long b) { abort(); }
long long a = -1;
int main(void) { return llabs(a) != 1; }
