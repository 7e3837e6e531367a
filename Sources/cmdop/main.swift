import CmdopCLI

await CmdopCommand.execute()
