/// Read helpers over the JSON reader's `JSONValue` tree used while compiling schemas
/// (compile time only; the hot path uses `JSONNode` cursors, see InstanceAccess.swift).
extension JSONValue {
    var objectMembers: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for m in members where m.key == key { return m.value }
        return nil
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var numberText: String? {
        if case .number(let n) = self { return n }
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
