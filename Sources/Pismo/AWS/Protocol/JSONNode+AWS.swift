import PismoJSON

/// Absent-tolerant access used by every response decoder: AWS omits empty lists and maps, so
/// "missing" and "empty" read the same.
extension Optional where Wrapped == JSONNode {
    var items: [JSONNode] { self.map { Array($0.elements) } ?? [] }
    var fields: [(key: String, value: JSONNode)] { self.map { Array($0.members) } ?? [] }
}
