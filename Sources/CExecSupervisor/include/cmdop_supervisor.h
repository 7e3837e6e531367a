#ifndef CMDOP_SUPERVISOR_H
#define CMDOP_SUPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

/// execveat's flag for executing the descriptor itself, and the "current directory" descriptor.
#define CMDOP_AT_EMPTY_PATH 0x1000
#define CMDOP_AT_FDCWD (-100)

/// Makes this process undumpable, so that processes of the same user (its commands) cannot
/// ptrace it or take its descriptors with pidfd_getfd. Returns 0, or -1 with errno.
int cmdop_protect_agent(void);

/// Whether this kernel offers seccomp user notification (Linux >= 5.5); 0 or 1.
int cmdop_supervisor_available(void);

/// Forks and execs `path` with `argv` and `envp` in a new process group: standard input from
/// /dev/null, standard output and error to the given descriptors, in `cwd`, under `mask`.
/// With `supervise`, every execve/execveat of the whole process tree (this first exec included)
/// waits for an answer on the descriptor returned in `*notify_fd`.
/// Returns the child's pid, or -1 with `*error` set to an errno value (and a step in `*step`:
/// 1 socketpair, 2 fork, 3 the child could not set up, 4 the listener never arrived).
pid_t cmdop_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd, mode_t mask,
                  int stdout_fd, int stderr_fd, int supervise, int *notify_fd, int *error, int *step);

/// One exec waiting for an answer.
typedef struct {
    uint64_t id;
    pid_t pid;
    /// 1 for execveat.
    int at;
    /// The descriptor execveat resolves relative paths against (AT_FDCWD for execve).
    int dirfd;
    /// execveat's flags (AT_EMPTY_PATH: execute dirfd itself).
    int flags;
    /// Whether the calling process had more than one thread (its memory could change under the check).
    int threaded;
    /// The path as the program passed it, NUL-terminated.
    char path[4096];
    /// argv as NUL-separated strings (argc of them), truncated to the buffer.
    char argv[65536];
    int argc;
    /// Whether argv did not fit.
    int truncated;
} cmdop_exec_request;

/// The request's path and its argv (`argc` NUL-separated strings).
const char *cmdop_exec_path(const cmdop_exec_request *request);
const char *cmdop_exec_argv(const cmdop_exec_request *request);

/// Waits for the next exec on `fd`. Returns 0; -1 with errno ENOENT when no process is left to
/// report; other errno values on failure. Reading a process's memory can fail (EPERM if it died):
/// then `*request` has `pid` set and an empty path, and the exec must be refused.
int cmdop_next_exec(int fd, cmdop_exec_request *request);

/// Whether request `id` is still waiting (the process did not die and its pid was not reused).
int cmdop_exec_still_waiting(int fd, uint64_t id);

/// Lets exec `id` go on (allow) or fails it with EPERM.
int cmdop_answer_exec(int fd, uint64_t id, int allow);

/// Fails exec `id` with `error` (0 lets it go on).
int cmdop_answer_exec_error(int fd, uint64_t id, int error);

#endif
