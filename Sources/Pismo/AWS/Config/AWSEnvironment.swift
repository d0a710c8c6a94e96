import Foundation

/// Where configuration comes from: environment variables and files. Injected so tests can supply
/// their own without touching the process environment. Immutable and Sendable.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String
    private let fileReader: @Sendable (String) -> String?

    public init(variables: [String: String], homeDirectory: String? = nil,
                readFile: @escaping @Sendable (String) -> String? = AWSEnvironment.readFileFromDisk) {
        self.variables = variables
        self.homeDirectory = homeDirectory ?? variables["HOME"] ?? "/root"
        self.fileReader = readFile
    }

    /// The real process environment and file system.
    public static func process() -> AWSEnvironment {
        AWSEnvironment(variables: ProcessInfo.processInfo.environment)
    }

    @Sendable public static func readFileFromDisk(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Non-empty value of a variable.
    public subscript(_ name: String) -> String? {
        guard let v = variables[name], !v.isEmpty else { return nil }
        return v
    }

    public func readFile(_ path: String) -> String? { fileReader(expandingHome(path)) }

    public func expandingHome(_ path: String) -> String {
        path.hasPrefix("~/") ? homeDirectory + path.dropFirst(1) : path
    }

    public var profileName: String { self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default" }
    /// True when the profile was chosen explicitly, which makes the SDKs skip env credentials.
    public var profileExplicit: Bool { self["AWS_PROFILE"] != nil }
    public var credentialsFilePath: String { self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials" }
    public var configFilePath: String { self["AWS_CONFIG_FILE"] ?? "~/.aws/config" }

    public func credentialsFile() -> SharedConfigFile? { readFile(credentialsFilePath).map(SharedConfigFile.init(text:)) }
    public func configFile() -> SharedConfigFile? { readFile(configFilePath).map(SharedConfigFile.init(text:)) }
}
