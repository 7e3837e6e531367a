import CmdopCLI

// Everything cmdop writes (databases, keys, logs) is for its owner only; the commands it runs get
// the umask it was started with.
FileModes.restrictOwnFiles()
await CmdopCommand.execute()
