import Foundation
import Logging

/// Bootstraps swift-log once for the executable: stderr, level from `LOG_LEVEL` or the command's default.
enum CLILogging {
    static func logger(_ label: String, defaultLevel: Logger.Level) -> Logger {
        bootstrapOnce
        var logger = Logger(label: label)
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        logger.logLevel = level ?? defaultLevel
        return logger
    }

    private static let bootstrapOnce: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
}
