#include <stdio.h>
#include <unistd.h>
int main(void)
{
    printf("net up\n");
    sleep(1);
    return 0;
}
