/// Iteration over arrays and objects. Iterators hop along `next` links in the tape, so a
/// full walk is O(children) and allocates nothing.
extension JSONNode {
    /// The elements of an array (empty for anything else).
    public var elements: JSONElements { JSONElements(node: self) }

    /// The members of an object as (key, value); each key is decoded to a String (allocates).
    public var members: JSONMembers { JSONMembers(node: self) }

    /// The members of an object as (key node, value node): the non-allocating path. Compare
    /// keys with `key.stringEquals(_:)` or read them with `key.withStringBytes`.
    public var memberNodes: JSONMemberNodes { JSONMemberNodes(node: self) }
}

/// Lazy sequence of array elements.
public struct JSONElements: Sequence, Sendable {
    let node: JSONNode

    // Must never exceed what the iterator yields: Array(seq) force-unwraps that many elements.
    public var underestimatedCount: Int { node.isArray ? node.count : 0 }

    public func makeIterator() -> Iterator {
        Iterator(storage: node.storage, position: node.index + 1, end: node.isArray ? node.nextIndex : 0)
    }

    public struct Iterator: IteratorProtocol {
        let storage: JSONStorage
        var position: Int
        let end: Int

        public mutating func next() -> JSONNode? {
            guard position < end else { return nil }
            let current = position
            position = Int(storage.tape[current].next)
            return JSONNode(storage: storage, index: current)
        }
    }
}

/// Lazy sequence of object members as key/value nodes.
public struct JSONMemberNodes: Sequence, Sendable {
    let node: JSONNode

    public var underestimatedCount: Int { node.isObject ? node.count : 0 }

    public func makeIterator() -> Iterator {
        Iterator(storage: node.storage, position: node.index + 1, end: node.isObject ? node.nextIndex : 0)
    }

    public struct Iterator: IteratorProtocol {
        let storage: JSONStorage
        var position: Int
        let end: Int

        public mutating func next() -> (key: JSONNode, value: JSONNode)? {
            guard position < end else { return nil }
            let key = position
            // Keys are always strings (one tape entry), so the value sits right after.
            position = Int(storage.tape[key + 1].next)
            return (JSONNode(storage: storage, index: key), JSONNode(storage: storage, index: key + 1))
        }
    }
}

/// Lazy sequence of object members with decoded String keys.
public struct JSONMembers: Sequence, Sendable {
    let node: JSONNode

    public var underestimatedCount: Int { node.isObject ? node.count : 0 }

    public func makeIterator() -> Iterator {
        Iterator(inner: node.memberNodes.makeIterator())
    }

    public struct Iterator: IteratorProtocol {
        var inner: JSONMemberNodes.Iterator

        public mutating func next() -> (key: String, value: JSONNode)? {
            guard let (key, value) = inner.next() else { return nil }
            return (key.string ?? "", value)
        }
    }
}
