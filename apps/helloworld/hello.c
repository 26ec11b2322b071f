#include <stdio.h>

int main(void)
{
    printf("Hello from Pogo!\n");
    return 0;
}
