/// The launchers the gate knows, by program name, with every option it accepts. A launcher used
/// with an option that is not listed hides what it runs, so the gate asks (`Launcher`).
enum Launchers {
    /// The launcher `program` (a basename) is, if any; the dynamic loader under any of its names.
    static func launcher(for program: String) -> Launcher? {
        if let launcher = table[program] { return launcher }
        return isDynamicLoader(program) ? dynamicLoader : nil
    }

    /// `ld-linux-x86-64.so.2`, `ld.so`, `ld64.so.1`, `ld-musl-x86_64.so.1` …
    static func isDynamicLoader(_ program: String) -> Bool {
        program.hasPrefix("ld-linux") || program.hasPrefix("ld64.so") || program == "ld.so"
            || (program.hasPrefix("ld-") && program.contains(".so"))
    }

    /// `/lib64/ld-linux-x86-64.so.2 [options] PROGRAM args`: runs any binary by path.
    static let dynamicLoader = Launcher(
        flags: ["--inhibit-cache", "--verify", "--list-tunables", "--list-diagnostics"],
        options: ["--library-path", "--inhibit-rpath", "--audit", "--preload", "--argv0", "--glibc-hwcaps-prepend",
                  "--glibc-hwcaps-mask"],
        noCommandOptions: ["--list", "--help", "--version"])

    static let table: [String: Launcher] = [
        "sudo": Launcher(
            flags: ["-A", "-b", "-E", "-H", "-i", "-K", "-k", "-n", "-P", "-S", "-s", "-B", "-N", "--askpass", "--background",
                    "--preserve-env", "--set-home", "--login", "--remove-timestamp", "--reset-timestamp", "--non-interactive",
                    "--preserve-groups", "--stdin", "--shell", "--bell", "--no-update"],
            options: ["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R", "--user", "--group", "--host",
                      "--prompt", "--close-from", "--chdir", "--role", "--type", "--other-user", "--command-timeout", "--chroot"],
            noCommandOptions: ["-l", "-v", "-V", "--list", "--validate", "--version", "--help"],
            takesAssignments: true, emptyIsHidden: true),
        "doas": Launcher(flags: ["-n", "-s", "-L"], options: ["-u"], noCommandOptions: ["-C"], emptyIsHidden: true),
        "env": Launcher(
            flags: ["-i", "-0", "-v", "--ignore-environment", "--null", "--debug", "--block-signal", "--default-signal",
                    "--ignore-signal", "--list-signal-handling"],
            options: ["-u", "-C", "-a", "--unset", "--chdir", "--argv0"],
            splitOptions: ["-S", "--split-string"], takesAssignments: true),
        "nice": Launcher(options: ["-n", "--adjustment"], numericOptions: true),
        "ionice": Launcher(flags: ["-t", "--ignore"], options: ["-c", "-n", "--class", "--classdata"],
                           noCommandOptions: ["-p", "-P", "-u", "--pid", "--pgid", "--uid"]),
        "nohup": Launcher(),
        "time": Launcher(flags: ["-p", "-v", "-a", "-q", "--portability", "--verbose", "--append", "--quiet"],
                         options: ["-f", "-o", "--format", "--output"]),
        "command": Launcher(flags: ["-p"], noCommandOptions: ["-v", "-V"]),
        "builtin": Launcher(),
        "exec": Launcher(flags: ["-c", "-l"], options: ["-a"]),
        "coproc": Launcher(),
        "stdbuf": Launcher(options: ["-i", "-o", "-e", "--input", "--output", "--error"]),
        "timeout": Launcher(flags: ["--foreground", "--preserve-status", "-v", "--verbose"],
                            options: ["-s", "-k", "--signal", "--kill-after"], positional: 1),
        "xargs": Launcher(
            flags: ["-0", "-o", "-p", "-r", "-t", "-x", "--null", "--open-tty", "--interactive", "--no-run-if-empty",
                    "--verbose", "--exit"],
            options: ["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-lines",
                      "--max-args", "--max-procs", "--max-chars", "--process-slot-var"],
            attachedOnly: ["-e", "-i", "-l", "--eof", "--replace"]),
        "setsid": Launcher(flags: ["-c", "-f", "-w", "--ctty", "--fork", "--wait"]),
        "flock": Launcher(
            flags: ["-s", "-e", "-x", "-u", "-n", "-o", "-F", "--shared", "--exclusive", "--unlock", "--nonblock", "--nb",
                    "--close", "--no-fork", "--verbose"],
            options: ["-w", "-E", "--timeout", "--wait", "--conflict-exit-code"],
            scriptOptions: ["-c", "--command"], positional: 1, scriptOptionsAfterPositional: ["-c", "--command"]),
        "taskset": Launcher(flags: ["-a", "-c", "--all-tasks", "--cpu-list"], noCommandOptions: ["-p", "--pid"], positional: 1),
        "chrt": Launcher(
            flags: ["-a", "-b", "-d", "-f", "-i", "-o", "-r", "-R", "-e", "-v", "--all-tasks", "--batch", "--deadline", "--fifo",
                    "--idle", "--other", "--rr", "--reset-on-fork", "--ext", "--verbose"],
            options: ["-T", "-P", "-D", "--sched-runtime", "--sched-period", "--sched-deadline"],
            noCommandOptions: ["-p", "-m", "--pid", "--max"], positional: 1),
        "prlimit": Launcher(
            flags: ["--noheadings", "--raw", "--verbose"],
            options: ["-o", "--output"],
            attachedOnly: ["-c", "-d", "-e", "-f", "-i", "-l", "-m", "-n", "-q", "-r", "-s", "-t", "-u", "-v", "-x", "-y",
                           "--core", "--data", "--nice", "--fsize", "--sigpending", "--memlock", "--rss", "--nofile",
                           "--msgqueue", "--rtprio", "--stack", "--cpu", "--nproc", "--as", "--locks", "--rttime"],
            noCommandOptions: ["-p", "--pid"]),
        "script": Launcher(
            flags: ["-a", "-e", "-f", "-q", "--append", "--return", "--flush", "--quiet"],
            options: ["-E", "-B", "-I", "-O", "-T", "-m", "-o", "--echo", "--log-io", "--log-in", "--log-out", "--log-timing",
                      "--logging-format", "--output-limit"],
            attachedOnly: ["-t", "--timing"], scriptOptions: ["-c", "--command"], restIsNotCommand: true, emptyIsHidden: true),
        "strace": Launcher(
            flags: ["-c", "-C", "-d", "-D", "-f", "-F", "-i", "-k", "-n", "-q", "-r", "-t", "-T", "-v", "-w", "-x", "-y",
                    "-z", "-Z", "--summary-only", "--summary", "--follow-forks", "--output-separately", "--quiet",
                    "--relative-timestamps", "--absolute-timestamps", "--syscall-times", "--no-abbrev", "--successful-only",
                    "--failed-only"],
            options: ["-o", "-e", "-s", "-u", "-E", "-a", "-P", "-S", "-I", "-b", "-X", "-O", "--output", "--trace",
                      "--string-limit", "--user", "--env", "--columns", "--trace-path", "--summary-sort-by", "--interruptible",
                      "--detach-on", "--const-print-style", "--signal", "--status", "--abbrev", "--verbose", "--raw",
                      "--read", "--write", "--fault", "--inject"],
            noCommandOptions: ["-p", "--attach", "-V", "--version", "-h", "--help"]),
        "ltrace": Launcher(
            flags: ["-b", "-c", "-C", "-d", "-f", "-i", "-r", "-S", "-t", "-T", "-w", "--demangle", "--no-signals"],
            options: ["-o", "-e", "-s", "-u", "-a", "-A", "-D", "-F", "-l", "-n", "-x", "-L", "--output", "--align",
                      "--indent", "--library", "--config"],
            noCommandOptions: ["-p", "-V", "--version", "-h", "--help"]),
        "unshare": Launcher(
            flags: ["-m", "-u", "-i", "-n", "-p", "-U", "-C", "-T", "-f", "-r", "-c", "--uts", "--ipc", "--net", "--pid",
                    "--user", "--cgroup", "--time", "--fork", "--map-root-user", "--map-current-user", "--keep-caps",
                    "--mount", "--mount-proc", "--kill-child", "--map-auto"],
            options: ["-R", "-w", "-S", "-G", "-l", "--propagation", "--setgroups", "--root", "--wd", "--setuid", "--setgid",
                      "--map-user", "--map-group", "--map-users", "--map-groups", "--monotonic", "--boottime", "--load-interp"],
            emptyIsHidden: true),
        "nsenter": Launcher(
            flags: ["-a", "-F", "-Z", "-e", "-c", "--all", "--no-fork", "--preserve-credentials", "--follow-context", "--env",
                    "--join-cgroup"],
            options: ["-t", "-S", "-G", "--target", "--setuid", "--setgid", "--user-parent"],
            attachedOnly: ["-m", "-u", "-i", "-n", "-p", "-U", "-C", "-T", "-r", "-w", "--mount", "--uts", "--ipc", "--net",
                           "--pid", "--user", "--cgroup", "--time", "--root", "--wd"],
            emptyIsHidden: true),
        "chroot": Launcher(flags: ["--skip-chdir"], options: ["--userspec", "--groups"], positional: 1, emptyIsHidden: true),
        "su": Launcher(
            flags: ["-", "-l", "-m", "-p", "-P", "-f", "--login", "--preserve-environment", "--pty"],
            options: ["-s", "-g", "-G", "-w", "--shell", "--group", "--supp-group", "--whitelist-environment"],
            scriptOptions: ["-c", "--command", "--session-command"], positional: 1,
            scriptOptionsAfterPositional: ["-c", "--command", "--session-command"], restIsNotCommand: true, emptyIsHidden: true),
        "runuser": Launcher(
            flags: ["-", "-l", "-m", "-p", "-P", "-f", "--login", "--preserve-environment", "--pty"],
            options: ["-s", "-g", "-G", "-w", "-u", "--shell", "--group", "--supp-group", "--whitelist-environment", "--user"],
            scriptOptions: ["-c", "--command", "--session-command"], commandModeOptions: ["-u", "--user"], positional: 1,
            scriptOptionsAfterPositional: ["-c", "--command", "--session-command"], restIsNotCommand: true, emptyIsHidden: true),
        "busybox": Launcher(noCommandOptions: ["--list", "--list-full", "--install", "--help"]),
        "toybox": Launcher(noCommandOptions: ["--long", "--help", "--version"]),
        "parallel": Launcher(
            flags: ["-k", "-X", "-m", "-q", "-v", "-0", "-u", "--keep-order", "--quote", "--verbose", "--dry-run", "--tag",
                    "--line-buffer", "--null", "--ungroup", "--group", "--no-notice", "--bar", "--progress", "--eta"],
            options: ["-j", "-N", "-I", "-S", "-a", "-d", "-E", "--jobs", "--max-args", "--replace", "--sshlogin", "--delay",
                      "--timeout", "--halt", "--joblog", "--results", "--arg-file", "--colsep", "--delimiter", "--eof",
                      "--retries", "--load", "--memfree"],
            emptyIsHidden: true, commandEnd: [":::", "::::", ":::+", "::::+"]),
        "watch": Launcher(
            flags: ["-t", "-b", "-e", "-g", "-c", "-C", "-p", "-w", "-r", "--no-title", "--beep", "--errexit", "--chgexit",
                    "--color", "--no-color", "--precise", "--no-wrap", "--no-rerun"],
            options: ["-n", "-q", "--interval", "--equexit"], attachedOnly: ["-d", "--differences"], joinsIntoScript: true),
        "at": Launcher(
            flags: ["-m", "-M", "-v", "-b"], options: ["-q", "-t", "-f"], noCommandOptions: ["-l", "-d", "-r", "-c"],
            restIsNotCommand: true, emptyIsHidden: true),
        "batch": Launcher(flags: ["-m", "-M", "-v"], options: ["-q", "-f"], restIsNotCommand: true, emptyIsHidden: true),
        "systemd-run": Launcher(
            flags: ["-d", "-t", "-P", "-q", "-G", "-r", "--user", "--system", "--scope", "--wait", "--no-block", "--pty",
                    "--pipe", "--quiet", "--collect", "--remain-after-exit", "--same-dir", "--no-ask-password",
                    "--send-sighup", "--ignore-failure", "--background"],
            options: ["-u", "-p", "-E", "-H", "-M", "--unit", "--property", "--setenv", "--slice", "--description",
                      "--service-type", "--uid", "--gid", "--nice", "--working-directory", "--on-active", "--on-boot",
                      "--on-startup", "--on-unit-active", "--on-unit-inactive", "--on-calendar", "--timer-property",
                      "--path-property", "--socket-property", "--host", "--machine", "--expand-environment"],
            hiddenOptions: ["-S", "--shell"]),
        "ssh": Launcher(
            flags: ["-4", "-6", "-A", "-a", "-C", "-f", "-G", "-g", "-K", "-k", "-M", "-N", "-n", "-q", "-s", "-T", "-t", "-V",
                    "-v", "-X", "-x", "-Y", "-y"],
            options: ["-B", "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q",
                      "-R", "-S", "-W", "-w"],
            positional: 1, joinsIntoScript: true, emptyIsHidden: true),
        "setpriv": Launcher(
            flags: ["-d", "--dump", "--clear-groups", "--keep-groups", "--init-groups", "--nnp", "--no-new-privs",
                    "--reset-env"],
            options: ["--inh-caps", "--ambient-caps", "--bounding-set", "--ruid", "--euid", "--rgid", "--egid", "--reuid",
                      "--regid", "--groups", "--securebits", "--pdeathsig", "--selinux-label", "--apparmor-profile",
                      "--landlock-access", "--landlock-rule"]),
        "fakeroot": Launcher(flags: ["-u", "--unknown-is-real"], options: ["-l", "-s", "-i", "--lib", "--faked"]),
        "eatmydata": Launcher(),
        "faketime": Launcher(flags: ["-m", "-f"], options: ["-p", "--exclude-monotonic"], positional: 1),
        "torsocks": Launcher(flags: ["-i", "--isolate", "-q", "--quiet", "-d", "--debug"],
                             options: ["-u", "-p", "-a", "-P", "--user", "--pass", "--address", "--port"]),
        "proxychains": Launcher(flags: ["-q"], options: ["-f"]),
        "proxychains4": Launcher(flags: ["-q"], options: ["-f"]),
        "catchsegv": Launcher(),
        "systemd-inhibit": Launcher(options: ["--what", "--who", "--why", "--mode"], noCommandOptions: ["--list"]),
        "dbus-run-session": Launcher(options: ["--config-file", "--dbus-daemon"]),
        "xvfb-run": Launcher(flags: ["-a", "--auto-servernum"],
                             options: ["-n", "-s", "-e", "-f", "-p", "-w", "--server-num", "--server-args", "--error-file",
                                       "--auth-file", "--xauth-protocol", "--wait"]),
        "sg": Launcher(scriptOptions: ["-c"], positional: 1, scriptOptionsAfterPositional: ["-c"], joinsIntoScript: true,
                       emptyIsHidden: true),
        "newgrp": Launcher(flags: ["-"], restIsNotCommand: true, emptyIsHidden: true),
        // A brace group opened after a launcher (`time { …; }`) runs what follows.
        "{": Launcher(),
    ]
}
