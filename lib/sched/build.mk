kobjs-y += lib/sched/thread.o lib/sched/wait.o lib/sched/queue.o
kobjs-$(CONFIG_SCHED_COOP) += lib/sched/coop.o
kobjs-$(CONFIG_SCHED_PREEMPT) += lib/sched/preempt.o
