/// A program that runs another program: `sudo`, `env`, `timeout`, `flock`, `ssh host …`. The gate
/// peels it off to see what really runs; an option it does not know hides that, so it is never
/// guessed past.
struct Launcher: Sendable {
    /// Options that take no argument (`-n`, `--fork`).
    var flags: Set<String> = []
    /// Options that take an argument: the next word, or attached (`-n5`, `--adjustment=5`).
    var options: Set<String> = []
    /// Options whose argument is optional and only ever attached (`prlimit -n64`, `--nofile=64`).
    var attachedOnly: Set<String> = []
    /// Options whose argument is a shell script the launcher runs (`flock -c`, `su -c`).
    var scriptOptions: Set<String> = []
    /// Options whose argument is split into words that become the command (`env -S 'rm x'`).
    var splitOptions: Set<String> = []
    /// Options after which nothing runs (`taskset -p`, `sudo -l`).
    var noCommandOptions: Set<String> = []
    /// Options that make it run something unseen (`systemd-run --shell`).
    var hiddenOptions: Set<String> = []
    /// Options (with an argument) after which the rest is a command, not positional words
    /// (`runuser -u USER cmd`).
    var commandModeOptions: Set<String> = []
    /// Whether `NAME=value` words may follow the options (`env`, `sudo`).
    var takesAssignments = false
    /// Whether `-5` is an option (`nice -5`).
    var numericOptions = false
    /// Plain arguments before the command (`timeout 10`, `chroot DIR`, `ssh HOST`).
    var positional = 0
    /// Script options also accepted right after the positional arguments (`flock FILE -c CMD`).
    var scriptOptionsAfterPositional: Set<String> = []
    /// The command words are joined into a script for a shell (`watch`, `ssh`).
    var joinsIntoScript = false
    /// What follows the options is not a command at all (`script FILE`, `at TIME`).
    var restIsNotCommand = false
    /// With no command it runs what the gate cannot see: a shell, or commands read from input.
    var emptyIsHidden = false
    /// Words that end the command (`parallel … ::: args`).
    var commandEnd: Set<String> = []

    /// What a launcher line runs.
    enum Inner: Equatable {
        /// These words, as a command of their own.
        case command([String])
        /// This text, as a shell script.
        case script(String)
        /// Nothing (`flock 3`, `taskset -p 1234`).
        case nothing
        /// Something the gate cannot see, and why.
        case hidden(String)
    }

    /// What `words` (whose first word is this launcher, `name`) runs.
    func inner(of words: [String], name: String) -> Inner {
        var i = 1
        var script: String?
        var positional = positional
        var restIsNotCommand = restIsNotCommand
        while i < words.count {
            let word = words[i]
            if word == "--" {
                i += 1
                break
            }
            if commandModeOptions.contains(word) || commandModeOptions.contains(where: { word.hasPrefix($0 + "=") }) {
                positional = 0
                restIsNotCommand = false
            }
            if takesAssignments && CommandUnwrapper.isAssignment(word) {
                i += 1
                continue
            }
            if flags.contains(word) {  // also a lone `-` (`su - root`)
                i += 1
                continue
            }
            guard word.hasPrefix("-"), word.count > 1 else { break }
            if numericOptions, word.dropFirst().allSatisfy(\.isNumber) {
                i += 1
                continue
            }
            let step: Step
            if word.hasPrefix("--") {
                step = long(word, next: i + 1 < words.count ? words[i + 1] : nil)
            } else {
                step = short(word, next: i + 1 < words.count ? words[i + 1] : nil)
            }
            switch step {
            case .consumed(let count):
                i += count
            case .script(let text, let count):
                script = text
                i += count
            case .split(let text, let count):
                // The words take the option's place and are read again, options and all (`env -S '-i rm x'`).
                let after = i + count < words.count ? Array(words[(i + count)...]) : []
                return .command([name] + text.split(whereSeparator: \.isWhitespace).map(String.init) + after)
            case .nothing:
                return .nothing
            case .unknown(let option) where hiddenOptions.contains(option):
                return .hidden("'\(name) \(option)' runs a shell the gate cannot see")
            case .unknown(let option):
                return .hidden("'\(name)' with the option '\(option)' the gate does not know")
            }
        }
        guard words.count - i >= positional else {
            if let script { return .script(script) }
            return emptyIsHidden ? .hidden("'\(name)' without a command runs what the gate cannot see (a shell, or commands it reads)") : .nothing
        }
        i += positional
        if script == nil, i + 1 < words.count, scriptOptionsAfterPositional.contains(words[i]) {
            script = words[i + 1]
        }
        if let script { return .script(script) }
        var rest = i < words.count ? Array(words[i...]) : []
        if let end = rest.firstIndex(where: commandEnd.contains) { rest = Array(rest[..<end]) }
        if restIsNotCommand || rest.isEmpty {
            return emptyIsHidden ? .hidden("'\(name)' without a command runs what the gate cannot see (a shell, or commands it reads)") : .nothing
        }
        return joinsIntoScript ? .script(rest.joined(separator: " ")) : .command(rest)
    }

    private enum Step {
        case consumed(Int)
        case script(String, Int)
        case split(String, Int)
        case nothing
        case unknown(String)
    }

    /// `--name` or `--name=value`.
    private func long(_ word: String, next: String?) -> Step {
        let name: String
        let value: String?
        if let equals = word.firstIndex(of: "=") {
            name = String(word[..<equals])
            value = String(word[word.index(after: equals)...])
        } else {
            name = word
            value = nil
        }
        if noCommandOptions.contains(name) { return .nothing }
        if hiddenOptions.contains(name) { return .unknown(name) }
        if flags.contains(name) || attachedOnly.contains(name) { return .consumed(1) }
        let takesValue = options.contains(name) || scriptOptions.contains(name) || splitOptions.contains(name)
        guard takesValue else { return .unknown(name) }
        guard let argument = value ?? next else { return .consumed(1) }
        let count = value == nil ? 2 : 1
        if scriptOptions.contains(name) { return .script(argument, count) }
        if splitOptions.contains(name) { return .split(argument, count) }
        return .consumed(count)
    }

    /// `-abc`: flags, then at most one option whose argument is the rest of the word or the next word.
    private func short(_ word: String, next: String?) -> Step {
        let letters = Array(word.dropFirst())
        for (index, letter) in letters.enumerated() {
            let option = "-" + String(letter)
            let rest = String(letters[(index + 1)...])
            if noCommandOptions.contains(option) { return .nothing }
            if hiddenOptions.contains(option) { return .unknown(option) }
            if flags.contains(option) { continue }
            if attachedOnly.contains(option) { return .consumed(1) }
            let takesValue = options.contains(option) || scriptOptions.contains(option) || splitOptions.contains(option)
            guard takesValue else { return .unknown(option) }
            guard let argument = rest.isEmpty ? next : rest else { return .consumed(1) }
            let count = rest.isEmpty ? 2 : 1
            if scriptOptions.contains(option) { return .script(argument, count) }
            if splitOptions.contains(option) { return .split(argument, count) }
            return .consumed(count)
        }
        return .consumed(1)
    }
}
