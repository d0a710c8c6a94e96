/// Read helpers over the JSON reader's `JSONValue` tree used while compiling schemas
/// (compile time only; the hot path reads the parsed tape through `Instance`).
/// `stringValue`, `numberText`, `boolValue`, `arrayValue` come from JSONValue itself.
extension JSONValue {
    var objectMembers: [JSONMember]? { objectValue }

    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for m in members where m.key == key { return m.value }
        return nil
    }

    /// Child at one pointer token (object key or array index).
    func child(_ token: String) -> JSONValue? {
        switch self {
        case .object: return member(token)
        case .array(let a):
            guard let i = Int(token), i >= 0, i < a.count, token == String(i) else { return nil }
            return a[i]
        default: return nil
        }
    }
}
