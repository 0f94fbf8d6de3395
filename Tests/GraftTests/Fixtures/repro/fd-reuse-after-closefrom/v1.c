/* A valid program that closes every descriptor it did not open (sshd's
 * closefrom(), daemon(3)-style start-up) and then forks: the child reads
 * from a pipe the parent made after the close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void) {
    for (int fd = 3; fd < 1024; fd++) close(fd);      /* closefrom(3) */
    usleep(200000);
    int p[2];
    if (pipe(p) != 0) { perror("pipe"); return 1; }
    printf("pipe fds %d %d\n", p[0], p[1]);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        char buf[16] = "";
        close(p[1]);
        ssize_t n = read(p[0], buf, sizeof buf - 1);
        if (n < 0) { printf("child: read from fd %d failed: %s\n", p[0], strerror(errno)); fflush(stdout); _exit(1); }
        printf("child: read '%s'\n", buf); fflush(stdout);
        _exit(0);
    }
    close(p[0]);
    write(p[1], "hello", 5);
    close(p[1]);
    int st;
    waitpid(c, &st, 0);
    printf("child exit status %d\n", WEXITSTATUS(st));
    return WEXITSTATUS(st);
}
