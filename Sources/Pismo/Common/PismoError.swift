/// Errors a person has to act on, with the cause in words.
public enum PismoError: Error, CustomStringConvertible {
    case configuration(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .configuration(message), let .invalidInput(message): message
        }
    }
}
