// The exec supervisor's system half: fork and exec under a seccomp filter that sends every
// execve/execveat of the process tree to a listener, and the calls that read and answer them.
// Everything between fork and exec is a plain system call (async-signal-safe).
#define _GNU_SOURCE
#include "cmdop_supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__x86_64__)
#define CMDOP_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CMDOP_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "the exec supervisor knows x86_64 and aarch64"
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static struct seccomp_notif_sizes known_sizes;
static pthread_once_t sizes_once = PTHREAD_ONCE_INIT;

static void read_sizes(void) {
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &known_sizes) != 0) memset(&known_sizes, 0, sizeof(known_sizes));
}

static struct seccomp_notif_sizes notif_sizes(void) {
    pthread_once(&sizes_once, read_sizes);
    return known_sizes;
}

int cmdop_protect_agent(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int cmdop_supervisor_available(void) {
    uint32_t action = SECCOMP_RET_USER_NOTIF;
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) return 0;
    struct seccomp_notif_sizes sizes = notif_sizes();
    return sizes.seccomp_notif > 0 ? 1 : 0;
}

#define CMDOP_NEW_NAMESPACES 0x7E020000u  // CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

/// execve and execveat wait for the listener. A command may not leave the agent's view of the
/// files: no new namespaces (unshare, setns, clone with CLONE_NEW*; clone3, whose flags a filter
/// cannot read, answers ENOSYS so that libc falls back to clone), no chroot or pivot_root. A
/// foreign ABI (i386, x32) may make no system call at all.
static int install_filter(void) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CMDOP_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),  // x32 system calls
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setns, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_chroot, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pivot_root, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 4),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),  // clone's flags (low word)
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CMDOP_NEW_NAMESPACES, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof(filter) / sizeof(filter[0]), .filter = filter};
    if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
}

static void child_fail(int report, int step) {
    int message[2] = {errno, step};
    ssize_t ignored = write(report, message, sizeof(message));
    (void)ignored;
    _exit(127);
}

static int send_fd(int socket, int fd) {
    char byte = 0;
    struct iovec io = {.iov_base = &byte, .iov_len = 1};
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    struct msghdr message = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control)};
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    return sendmsg(socket, &message, 0) == 1 ? 0 : -1;
}

static int receive_fd(int socket) {
    char byte;
    struct iovec io = {.iov_base = &byte, .iov_len = 1};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr message = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control)};
    ssize_t got;
    do { got = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); } while (got < 0 && errno == EINTR);
    if (got != 1) return -1;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (!header || header->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(header), sizeof(int));
    return fd;
}

pid_t cmdop_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd, mode_t mask,
                  int stdout_fd, int stderr_fd, int supervise, int *notify_fd, int *error, int *step) {
    int pair[2] = {-1, -1};
    int report[2];
    *notify_fd = -1;
    if (supervise && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        *error = errno; *step = 1;
        return -1;
    }
    if (pipe2(report, O_CLOEXEC) != 0) {
        *error = errno; *step = 1;
        if (supervise) { close(pair[0]); close(pair[1]); }
        return -1;
    }
    // No signal may reach the child before its handlers are reset to the default.
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t pid = fork();
    if (pid > 0 || pid < 0) pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0) {
        *error = errno; *step = 2;
        close(report[0]); close(report[1]);
        if (supervise) { close(pair[0]); close(pair[1]); }
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        if (supervise) close(pair[0]);
        // The agent ignores SIGPIPE; a command must not (`yes | head` ends by it).
        struct sigaction defaults;
        memset(&defaults, 0, sizeof(defaults));
        defaults.sa_handler = SIG_DFL;
        for (int signal = 1; signal < NSIG; signal++) {
            if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &defaults, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (setpgid(0, 0) != 0) child_fail(report[1], 3);
        umask(mask);
        if (chdir(cwd) != 0) child_fail(report[1], 3);
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) child_fail(report[1], 3);
        // Nothing else of the agent's reaches the command.
        if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
            struct rlimit limit;
            int highest = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 1048576 ? (int)limit.rlim_cur : 1048576;
            for (int fd = 3; fd < highest; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        if (supervise) {
            int listener = install_filter();
            if (listener < 0 || send_fd(pair[1], listener) != 0) child_fail(report[1], 3);
            close(listener);
        }
        execve(path, argv, envp);
        child_fail(report[1], 3);
    }
    close(report[1]);
    if (supervise) {
        close(pair[1]);
        *notify_fd = receive_fd(pair[0]);
        close(pair[0]);
        if (*notify_fd < 0) {
            int message[2] = {EIO, 4};
            if (read(report[0], message, sizeof(message)) != sizeof(message)) { message[0] = EIO; message[1] = 4; }
            close(report[0]);
            *error = message[0]; *step = message[1];
            return -1;
        }
        // The first exec waits for the caller to answer it, so its outcome cannot be awaited here:
        // a failed exec shows as exit status 127.
        close(report[0]);
        return pid;
    }
    int message[2];
    ssize_t got;
    do { got = read(report[0], message, sizeof(message)); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == sizeof(message)) {
        *error = message[0]; *step = message[1];
        return -1;
    }
    return pid;
}

/// Reads a NUL-terminated string at `address` in the process whose memory is `mem`.
static int read_string(int mem, uint64_t address, char *buffer, size_t size) {
    size_t filled = 0;
    while (filled + 1 < size) {
        size_t chunk = 256 - ((address + filled) % 256);  // never across a 256-byte boundary (pages are multiples)
        if (chunk > size - 1 - filled) chunk = size - 1 - filled;
        ssize_t got = pread(mem, buffer + filled, chunk, (off_t)(address + filled));
        if (got <= 0) return -1;
        void *end = memchr(buffer + filled, 0, (size_t)got);
        if (end) return 0;
        filled += (size_t)got;
    }
    buffer[size - 1] = 0;
    return 1;  // truncated
}

/// The process's thread count: field 20 of /proc/PID/stat (cheaper for the kernel than status).
static int thread_count(pid_t pid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char text[1024];
    ssize_t got = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (got <= 0) return -1;
    text[got] = 0;
    char *field = strrchr(text, ')');  // the name may hold spaces and parentheses
    if (!field) return -1;
    // After ") ": state(3) ppid(4) … num_threads(20): 17 more spaces.
    for (int index = 0; index < 18 && field; index++) field = strchr(field + 1, ' ');
    return field ? atoi(field + 1) : -1;
}

int cmdop_next_exec(int fd, cmdop_exec_request *request) {
    struct seccomp_notif_sizes sizes = notif_sizes();
    if (sizes.seccomp_notif == 0) { errno = ENOSYS; return -1; }
    for (;;) {
        struct pollfd wait = {.fd = fd, .events = POLLIN};
        int ready = poll(&wait, 1, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if ((wait.revents & POLLHUP) && !(wait.revents & POLLIN)) { errno = ENOENT; return -1; }
        if (wait.revents & POLLIN) break;
        if (wait.revents & (POLLERR | POLLNVAL)) { errno = EBADF; return -1; }
    }
    struct seccomp_notif *notification = calloc(1, sizes.seccomp_notif);
    if (!notification) { errno = ENOMEM; return -1; }
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, notification) != 0) {
        int saved = errno;
        free(notification);
        // The process died between poll and receive, or a signal came: wait for the next one.
        if (saved == ENOENT || saved == EINTR) return cmdop_next_exec(fd, request);
        errno = saved;
        return -1;
    }
    memset(request, 0, sizeof(*request));
    request->id = notification->id;
    request->pid = (pid_t)notification->pid;
    request->at = notification->data.nr == __NR_execveat;
    uint64_t path_address = request->at ? notification->data.args[1] : notification->data.args[0];
    uint64_t argv_address = request->at ? notification->data.args[2] : notification->data.args[1];
    request->dirfd = request->at ? (int)notification->data.args[0] : AT_FDCWD;
    request->flags = request->at ? (int)notification->data.args[4] : 0;
    free(notification);
    request->threaded = thread_count(request->pid) != 1;
    char mem_path[64];
    snprintf(mem_path, sizeof(mem_path), "/proc/%d/mem", request->pid);
    int mem = open(mem_path, O_RDONLY | O_CLOEXEC);
    if (mem < 0) return 0;  // empty path: refuse
    if (read_string(mem, path_address, request->path, sizeof(request->path)) != 0) {
        request->path[0] = 0;
        close(mem);
        return 0;
    }
    size_t used = 0;
    for (int index = 0; argv_address != 0; index++) {
        if (index == 4096) { request->truncated = 1; break; }
        uint64_t pointer = 0;
        if (pread(mem, &pointer, sizeof(pointer), (off_t)(argv_address + 8 * (uint64_t)index)) != sizeof(pointer)) break;
        if (pointer == 0) break;
        if (used + 1 >= sizeof(request->argv)) { request->truncated = 1; break; }
        int status = read_string(mem, pointer, request->argv + used, sizeof(request->argv) - used);
        if (status < 0) break;
        if (status > 0) { request->truncated = 1; request->argc++; break; }
        used += strlen(request->argv + used) + 1;
        request->argc++;
    }
    close(mem);
    return 0;
}

const char *cmdop_exec_path(const cmdop_exec_request *request) { return request->path; }
const char *cmdop_exec_argv(const cmdop_exec_request *request) { return request->argv; }

int cmdop_exec_still_waiting(int fd, uint64_t id) {
    return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int cmdop_answer_exec(int fd, uint64_t id, int allow) {
    return cmdop_answer_exec_error(fd, id, allow ? 0 : EPERM);
}

int cmdop_answer_exec_error(int fd, uint64_t id, int error) {
    struct seccomp_notif_sizes sizes = notif_sizes();
    struct seccomp_notif_resp *response = calloc(1, sizes.seccomp_notif_resp ? sizes.seccomp_notif_resp : sizeof(*response));
    if (!response) { errno = ENOMEM; return -1; }
    response->id = id;
    if (error == 0) {
        response->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    } else {
        response->error = -error;
    }
    int result = ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, response);
    int saved = errno;
    free(response);
    errno = saved;
    return result;
}
