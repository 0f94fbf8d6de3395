#include <clang-c/Index.h>
#include <clang-c/CXCompilationDatabase.h>
