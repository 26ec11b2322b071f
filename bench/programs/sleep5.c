// Sleeps 5 seconds and exits: the host CPU time of the monitor meanwhile
// shows what an idle guest costs.
#include <unistd.h>

int main(void)
{
    sleep(5);
    return 0;
}
