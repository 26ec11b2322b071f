// Exits with the status given as its first argument.
// test: args=42 status=42
#include <stdlib.h>

int main(int argc, char **argv)
{
    return argc > 1 ? atoi(argv[1]) : 0;
}
