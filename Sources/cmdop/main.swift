import CmdopCLI

await CmdopCommand.main()
