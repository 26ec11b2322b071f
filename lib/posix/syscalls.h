/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prototypes of the syscall bodies and the table entries of each family.
 * A family that is not configured contributes no entries, so its numbers
 * answer -ENOSYS.
 */
#ifndef POGO_POSIX_SYSCALLS_H
#define POGO_POSIX_SYSCALLS_H

#include <pogo/config.h>
#include <pogo/compiler.h>

/* process.c */
long sys_getpid(void);
long sys_getppid(void);
long sys_uname(long buf);
long sys_arch_prctl(int code, long addr);
long sys_getrlimit(unsigned int resource, long rlim);
long sys_setrlimit(unsigned int resource, long rlim);
long sys_prlimit64(int pid, unsigned int resource, long new_rlim,
                   long old_rlim);
long sys_setsid(void);
long sys_getsid(int pid);
long sys_getpgid(int pid);
long sys_getpgrp(void);
long sys_setpgid(int pid, int pgid);
long sys_fork(void);
long sys_vfork(void);
long sys_wait4(int pid, long status, int options, long rusage);
long sys_waitid(int idtype, int id, long info, int options, long rusage);
long sys_sysinfo(long info);
long sys_getrusage(int who, long usage);

#define POGO_SYSCALLS_PROCESS                                                 \
    SYSCALL(getpid), SYSCALL(getppid), SYSCALL(uname), SYSCALL(arch_prctl),   \
        SYSCALL(getrlimit), SYSCALL(setrlimit), SYSCALL(prlimit64),           \
        SYSCALL(setsid), SYSCALL(getsid), SYSCALL(getpgid), SYSCALL(getpgrp), \
        SYSCALL(setpgid), SYSCALL(fork), SYSCALL(vfork), SYSCALL(wait4),      \
        SYSCALL(waitid), SYSCALL(sysinfo), SYSCALL(getrusage)

/* creds.c */
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);
long sys_setuid(uint32_t uid);
long sys_setgid(uint32_t gid);
long sys_setreuid(uint32_t ruid, uint32_t euid);
long sys_setregid(uint32_t rgid, uint32_t egid);
long sys_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid);
long sys_setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid);
long sys_getresuid(long ruid, long euid, long suid);
long sys_getresgid(long rgid, long egid, long sgid);
long sys_setfsuid(uint32_t uid);
long sys_setfsgid(uint32_t gid);
long sys_getgroups(int size, long list);
long sys_setgroups(int size, long list);

#define POGO_SYSCALLS_CREDS                                               \
    SYSCALL(getuid), SYSCALL(geteuid), SYSCALL(getgid), SYSCALL(getegid), \
        SYSCALL(setuid), SYSCALL(setgid), SYSCALL(setreuid),              \
        SYSCALL(setregid), SYSCALL(setresuid), SYSCALL(setresgid),        \
        SYSCALL(getresuid), SYSCALL(getresgid), SYSCALL(setfsuid),        \
        SYSCALL(setfsgid), SYSCALL(getgroups), SYSCALL(setgroups)

/* itimer.c */
long sys_getitimer(int which, long value);
long sys_setitimer(int which, long new_value, long old_value);
long sys_alarm(unsigned int seconds);

#define POGO_SYSCALLS_ITIMER \
    SYSCALL(getitimer), SYSCALL(setitimer), SYSCALL(alarm)

/* thread.c, futex.c */
long sys_clone(long flags, long newsp, long parent_tid, long child_tid,
               long tls);
long sys_exit(int status);
long sys_exit_group(int status);
long sys_gettid(void);
long sys_set_tid_address(long tidptr);
long sys_set_robust_list(long head, long len);
long sys_get_robust_list(int tid, long head_ptr, long len_ptr);
long sys_sched_yield(void);
long sys_sched_getaffinity(int pid, unsigned int len, long mask);
long sys_sched_setaffinity(int pid, unsigned int len, long mask);
long sys_getpriority(int which, int who);
long sys_setpriority(int which, int who, int prio);
long sys_prctl(int option, long arg2, long arg3, long arg4, long arg5);
long sys_futex(long uaddr, int op, unsigned int val, long timeout, long uaddr2,
               unsigned int val3);
long sys_sched_getscheduler(int pid);
long sys_sched_setscheduler(int pid, int policy, long param);
long sys_sched_getparam(int pid, long param);
long sys_sched_setparam(int pid, long param);
long sys_sched_get_priority_max(int policy);
long sys_sched_get_priority_min(int policy);
long sys_getcpu(long cpu, long node, long cache);

#define POGO_SYSCALLS_THREAD                                             \
    SYSCALL(clone), SYSCALL(exit), SYSCALL(exit_group), SYSCALL(gettid), \
        SYSCALL(set_tid_address), SYSCALL(set_robust_list),              \
        SYSCALL(get_robust_list), SYSCALL(sched_yield),                  \
        SYSCALL(sched_getaffinity), SYSCALL(sched_setaffinity),          \
        SYSCALL(getpriority), SYSCALL(setpriority), SYSCALL(prctl),      \
        SYSCALL(futex), SYSCALL(sched_getscheduler),                     \
        SYSCALL(sched_setscheduler), SYSCALL(sched_getparam),            \
        SYSCALL(sched_setparam), SYSCALL(sched_get_priority_max),        \
        SYSCALL(sched_get_priority_min), SYSCALL(getcpu)

/* signal.c */
long sys_rt_sigaction(int sig, long act, long oldact, long sigsetsize);
long sys_rt_sigprocmask(int how, long set, long oldset, long sigsetsize);
long sys_rt_sigreturn(void);
long sys_rt_sigpending(long set, long sigsetsize);
long sys_rt_sigsuspend(long set, long sigsetsize);
long sys_rt_sigtimedwait(long set, long info, long timeout, long sigsetsize);
long sys_sigaltstack(long ss, long old);
long sys_kill(int pid, int sig);
long sys_tkill(int tid, int sig);
long sys_tgkill(int tgid, int tid, int sig);

#define POGO_SYSCALLS_SIGNAL                                               \
    SYSCALL(rt_sigaction), SYSCALL(rt_sigprocmask), SYSCALL(rt_sigreturn), \
        SYSCALL(rt_sigpending), SYSCALL(rt_sigsuspend),                    \
        SYSCALL(rt_sigtimedwait), SYSCALL(sigaltstack), SYSCALL(kill),     \
        SYSCALL(tkill), SYSCALL(tgkill)

/* memory.c */
long sys_brk(long addr);
long sys_mmap(long addr, long len, long prot, long flags, long fd, long off);
long sys_munmap(long addr, long len);
long sys_mprotect(long addr, long len, long prot);
long sys_mremap(long old, long old_len, long new_len, long flags,
                long new_addr);
long sys_madvise(long addr, long len, int advice);
long sys_msync(long addr, long len, int flags);
long sys_mincore(long addr, long len, long vec);

#define POGO_SYSCALLS_MEMORY                                         \
    SYSCALL(brk), SYSCALL(mmap), SYSCALL(munmap), SYSCALL(mprotect), \
        SYSCALL(mremap), SYSCALL(madvise), SYSCALL(msync), SYSCALL(mincore)

/*
 * Files. With the VFS: fd.c, file.c, stat.c, dir.c, pipe.c, poll.c. Without
 * it, console.c gives fds 0-2 on the console and the other file syscalls
 * return -ENOSYS.
 */
long sys_read(unsigned int fd, long buf, size_t count);
long sys_write(unsigned int fd, long buf, size_t count);
long sys_writev(unsigned long fd, long iov, unsigned long count);
long sys_ioctl(unsigned int fd, unsigned int cmd, unsigned long arg);

#ifdef CONFIG_VFS
long sys_open(long path, int flags, unsigned short mode);
long sys_openat(int dirfd, long path, int flags, unsigned short mode);
long sys_creat(long path, unsigned short mode);
long sys_close(unsigned int fd);
long sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
long sys_pread64(unsigned int fd, long buf, size_t count, int64_t pos);
long sys_pwrite64(unsigned int fd, long buf, size_t count, int64_t pos);
long sys_readv(unsigned long fd, long iov, unsigned long count);
long sys_preadv(unsigned long fd, long iov, unsigned long count, long pos_l,
                long pos_h);
long sys_pwritev(unsigned long fd, long iov, unsigned long count, long pos_l,
                 long pos_h);
long sys_preadv2(unsigned long fd, long iov, unsigned long count, long pos_l,
                 long pos_h, int flags);
long sys_pwritev2(unsigned long fd, long iov, unsigned long count, long pos_l,
                  long pos_h, int flags);
long sys_lseek(unsigned int fd, long offset, unsigned int whence);
long sys_sendfile(int out_fd, int in_fd, long offset, size_t count);
long sys_copy_file_range(int fd_in, long off_in, int fd_out, long off_out,
                         size_t len, unsigned int flags);
long sys_truncate(long path, long length);
long sys_ftruncate(unsigned int fd, long length);
long sys_fsync(unsigned int fd);
long sys_fdatasync(unsigned int fd);
long sys_sync(void);
long sys_syncfs(int fd);
long sys_fallocate(int fd, int mode, int64_t offset, int64_t len);
long sys_fadvise64(int fd, int64_t offset, int64_t len, int advice);
long sys_readahead(int fd, int64_t offset, size_t count);
long sys_stat(long path, long buf);
long sys_lstat(long path, long buf);
long sys_fstat(unsigned int fd, long buf);
long sys_newfstatat(int dirfd, long path, long buf, int flags);
long sys_statx(int dirfd, long path, unsigned flags, unsigned mask, long buf);
long sys_statfs(long path, long buf);
long sys_fstatfs(unsigned int fd, long buf);
long sys_access(long path, int mode);
long sys_faccessat(int dirfd, long path, int mode);
long sys_faccessat2(int dirfd, long path, int mode, int flags);
long sys_chmod(long path, unsigned short mode);
long sys_fchmod(unsigned int fd, unsigned short mode);
long sys_fchmodat(int dirfd, long path, unsigned short mode);
long sys_chown(long path, uint32_t uid, uint32_t gid);
long sys_lchown(long path, uint32_t uid, uint32_t gid);
long sys_fchown(unsigned int fd, uint32_t uid, uint32_t gid);
long sys_fchownat(int dirfd, long path, uint32_t uid, uint32_t gid, int flags);
long sys_utimensat(int dirfd, long path, long times, int flags);
long sys_futimesat(int dirfd, long path, long times);
long sys_utimes(long path, long times);
long sys_utime(long path, long times);
long sys_getdents(unsigned int fd, long dirent, unsigned int count);
long sys_getdents64(unsigned int fd, long dirent, unsigned int count);
long sys_mkdir(long path, unsigned short mode);
long sys_mkdirat(int dirfd, long path, unsigned short mode);
long sys_rmdir(long path);
long sys_unlink(long path);
long sys_unlinkat(int dirfd, long path, int flags);
long sys_rename(long old_path, long new_path);
long sys_renameat(int old_dirfd, long old_path, int new_dirfd, long new_path);
long sys_renameat2(int old_dirfd, long old_path, int new_dirfd, long new_path,
                   unsigned int flags);
long sys_link(long old_path, long new_path);
long sys_linkat(int old_dirfd, long old_path, int new_dirfd, long new_path,
                int flags);
long sys_symlink(long target, long path);
long sys_symlinkat(long target, int new_dirfd, long path);
long sys_readlink(long path, long buf, int size);
long sys_readlinkat(int dirfd, long path, long buf, int size);
long sys_getcwd(long buf, unsigned long size);
long sys_chdir(long path);
long sys_fchdir(unsigned int fd);
long sys_umask(int mask);
long sys_pipe(long fds);
long sys_pipe2(long fds, int flags);
long sys_dup(unsigned int fd);
long sys_dup2(unsigned int oldfd, unsigned int newfd);
long sys_dup3(unsigned int oldfd, unsigned int newfd, int flags);
long sys_fcntl(unsigned int fd, unsigned int cmd, unsigned long arg);
long sys_flock(unsigned int fd, unsigned int cmd);
long sys_poll(long fds, unsigned int nfds, int timeout_ms);
long sys_ppoll(long fds, unsigned int nfds, long timeout, long sigmask,
               size_t sigsetsize);
long sys_select(int n, long in, long out, long ex, long timeout);
long sys_pselect6(int n, long in, long out, long ex, long timeout, long sig);

#define POGO_SYSCALLS_FILE                                                     \
    SYSCALL(read), SYSCALL(write), SYSCALL(writev), SYSCALL(ioctl),            \
        SYSCALL(open), SYSCALL(openat), SYSCALL(creat), SYSCALL(close),        \
        SYSCALL(close_range), SYSCALL(pread64), SYSCALL(pwrite64),             \
        SYSCALL(readv), SYSCALL(preadv), SYSCALL(pwritev), SYSCALL(preadv2),   \
        SYSCALL(pwritev2), SYSCALL(lseek), SYSCALL(sendfile),                  \
        SYSCALL(copy_file_range), SYSCALL(truncate), SYSCALL(ftruncate),       \
        SYSCALL(fsync), SYSCALL(fdatasync), SYSCALL(sync), SYSCALL(syncfs),    \
        SYSCALL(fallocate), SYSCALL(fadvise64), SYSCALL(readahead),            \
        SYSCALL(stat), SYSCALL(lstat), SYSCALL(fstat), SYSCALL(newfstatat),    \
        SYSCALL(statx), SYSCALL(statfs), SYSCALL(fstatfs), SYSCALL(access),    \
        SYSCALL(faccessat), SYSCALL(faccessat2), SYSCALL(chmod),               \
        SYSCALL(fchmod), SYSCALL(fchmodat), SYSCALL(chown), SYSCALL(lchown),   \
        SYSCALL(fchown), SYSCALL(fchownat), SYSCALL(utimensat),                \
        SYSCALL(futimesat), SYSCALL(utimes), SYSCALL(utime),                   \
        SYSCALL(getdents), SYSCALL(getdents64), SYSCALL(mkdir),                \
        SYSCALL(mkdirat), SYSCALL(rmdir), SYSCALL(unlink), SYSCALL(unlinkat),  \
        SYSCALL(rename), SYSCALL(renameat), SYSCALL(renameat2), SYSCALL(link), \
        SYSCALL(linkat), SYSCALL(symlink), SYSCALL(symlinkat),                 \
        SYSCALL(readlink), SYSCALL(readlinkat), SYSCALL(getcwd),               \
        SYSCALL(chdir), SYSCALL(fchdir), SYSCALL(umask), SYSCALL(pipe),        \
        SYSCALL(pipe2), SYSCALL(dup), SYSCALL(dup2), SYSCALL(dup3),            \
        SYSCALL(fcntl), SYSCALL(flock), SYSCALL(poll), SYSCALL(ppoll),         \
        SYSCALL(select), SYSCALL(pselect6)
#else
#define POGO_SYSCALLS_FILE \
    SYSCALL(read), SYSCALL(write), SYSCALL(writev), SYSCALL(ioctl)
#endif

/* time.c */
long sys_clock_gettime(int clock, long tp);
long sys_clock_getres(int clock, long tp);
long sys_gettimeofday(long tv, long tz);
long sys_time(long tloc);
long sys_nanosleep(long req, long rem);
long sys_clock_nanosleep(int clock, int flags, long req, long rem);

#define POGO_SYSCALLS_TIME                                                \
    SYSCALL(clock_gettime), SYSCALL(clock_getres), SYSCALL(gettimeofday), \
        SYSCALL(time), SYSCALL(nanosleep), SYSCALL(clock_nanosleep)

/* random.c */
long sys_getrandom(long buf, long count, unsigned int flags);

#define POGO_SYSCALLS_RANDOM SYSCALL(getrandom)

/* eventfd.c, epoll.c: on the VFS's readiness interface. */
#ifdef CONFIG_VFS
long sys_eventfd(unsigned int initval);
long sys_eventfd2(unsigned int initval, int flags);
long sys_epoll_create(int size);
long sys_epoll_create1(int flags);
long sys_epoll_ctl(int epfd, int op, int fd, long event);
long sys_epoll_wait(int epfd, long events, int max, int timeout);
long sys_epoll_pwait(int epfd, long events, int max, int timeout, long sigmask,
                     long sigsetsize);

#define POGO_SYSCALLS_EVENTS                                             \
    , SYSCALL(eventfd), SYSCALL(eventfd2), SYSCALL(epoll_create),        \
        SYSCALL(epoll_create1), SYSCALL(epoll_ctl), SYSCALL(epoll_wait), \
        SYSCALL(epoll_pwait)
#else
#define POGO_SYSCALLS_EVENTS
#endif

/* socket.c: the socket syscalls exist only with the network stack. */
#if defined(CONFIG_NET) && defined(CONFIG_VFS)
long sys_socket(int domain, int type, int protocol);
long sys_socketpair(int domain, int type, int protocol, long sv);
long sys_bind(int fd, long addr, int len);
long sys_listen(int fd, int backlog);
long sys_accept(int fd, long addr, long len);
long sys_accept4(int fd, long addr, long len, int flags);
long sys_connect(int fd, long addr, int len);
long sys_sendto(int fd, long buf, long len, unsigned int flags, long addr,
                int alen);
long sys_recvfrom(int fd, long buf, long len, unsigned int flags, long addr,
                  long alen);
long sys_sendmsg(int fd, long msg, unsigned int flags);
long sys_recvmsg(int fd, long msg, unsigned int flags);
long sys_shutdown(int fd, int how);
long sys_getsockname(int fd, long addr, long len);
long sys_getpeername(int fd, long addr, long len);
long sys_setsockopt(int fd, int level, int name, long val, int len);
long sys_getsockopt(int fd, int level, int name, long val, long len);

#define POGO_SYSCALLS_NET                                                     \
    , SYSCALL(socket), SYSCALL(socketpair), SYSCALL(bind), SYSCALL(listen),   \
        SYSCALL(accept), SYSCALL(accept4), SYSCALL(connect), SYSCALL(sendto), \
        SYSCALL(recvfrom), SYSCALL(sendmsg), SYSCALL(recvmsg),                \
        SYSCALL(shutdown), SYSCALL(getsockname), SYSCALL(getpeername),        \
        SYSCALL(setsockopt), SYSCALL(getsockopt)
#else
#define POGO_SYSCALLS_NET
#endif

#endif
