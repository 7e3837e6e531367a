import CmdopCLI

#if canImport(Glibc)
import Glibc
#endif

// Everything cmdop writes (databases, keys, logs) is for its owner only.
umask(0o077)
await CmdopCommand.execute()
