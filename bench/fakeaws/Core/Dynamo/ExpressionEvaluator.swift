/// Evaluates parsed expressions against one item with one request's names and values.
struct ExpressionContext {
    var names: [String: String]
    var values: [String: AttributeValue]

    func attributeName(_ path: String) throws(FakeError) -> String {
        guard path.hasPrefix("#") else { return path }
        guard let name = names[path] else {
            throw .validation("Invalid expression: An expression attribute name used in the document path is not defined; attribute name: \(path)")
        }
        return name
    }

    func resolve(_ operand: Operand, in item: Item?) throws(FakeError) -> AttributeValue? {
        switch operand {
        case .path(let p): return item?[try attributeName(p)]
        case .value(let v):
            guard let value = values[v] else {
                throw .validation("An expression attribute value used in expression is not defined; attribute value: \(v)")
            }
            return value
        }
    }

    /// DynamoDB semantics for a missing attribute: `=`, ordering, BETWEEN, IN and begins_with are
    /// false; `<>` is true.
    func evaluate(_ c: Condition, on item: Item?) throws(FakeError) -> Bool {
        switch c {
        case .and(let a, let b):
            guard try evaluate(a, on: item) else { return false }
            return try evaluate(b, on: item)
        case .or(let a, let b):
            if try evaluate(a, on: item) { return true }
            return try evaluate(b, on: item)
        case .not(let a): return try !evaluate(a, on: item)
        case .exists(let p): return item?[try attributeName(p)] != nil
        case .notExists(let p): return item?[try attributeName(p)] == nil
        case .compare(let l, let op, let r):
            let a = try resolve(l, in: item), b = try resolve(r, in: item)
            guard let a, let b else { return op == .ne }
            switch op {
            case .eq: return a.equals(b)
            case .ne: return !a.equals(b)
            case .lt: return a.compare(b).map { $0 < 0 } ?? false
            case .le: return a.compare(b).map { $0 <= 0 } ?? false
            case .gt: return a.compare(b).map { $0 > 0 } ?? false
            case .ge: return a.compare(b).map { $0 >= 0 } ?? false
            }
        case .between(let x, let low, let high):
            guard let v = try resolve(x, in: item), let lo = try resolve(low, in: item), let hi = try resolve(high, in: item) else { return false }
            guard let c1 = v.compare(lo), let c2 = v.compare(hi) else { return false }
            return c1 >= 0 && c2 <= 0
        case .inList(let x, let list):
            guard let v = try resolve(x, in: item) else { return false }
            for candidate in list { if let c = try resolve(candidate, in: item), v.equals(c) { return true } }
            return false
        case .beginsWith(let x, let prefix):
            guard let v = try resolve(x, in: item), let p = try resolve(prefix, in: item),
                  v.kind == p.kind, v.kind == .s || v.kind == .b, let vt = v.text, let pt = p.text else { return false }
            return vt.utf8.starts(with: pt.utf8)
        }
    }

    /// The new item; key attributes cannot be changed.
    func apply(_ actions: UpdateActions, to original: Item, keyNames: [String]) throws(FakeError) -> Item {
        var item = original
        for (path, value) in actions.sets {
            let name = try attributeName(path)
            if keyNames.contains(name) { throw .validation("One or more parameter values were invalid: Cannot update attribute \(name). This attribute is part of the key") }
            guard let newValue = try resolve(value, in: original) else {
                throw .validation("The provided expression refers to an attribute that does not exist in the item")
            }
            item.set(name, newValue)
        }
        for path in actions.removes {
            let name = try attributeName(path)
            if keyNames.contains(name) { throw .validation("One or more parameter values were invalid: Cannot update attribute \(name). This attribute is part of the key") }
            item.remove(name)
        }
        return item
    }

    private func resolve(_ value: UpdateActions.SetValue, in original: Item) throws(FakeError) -> AttributeValue? {
        switch value {
        case .operand(let o): return try resolve(o, in: original)
        case .ifNotExists(let p, let fallback):
            if let existing = original[try attributeName(p)] { return existing }
            return try resolve(fallback, in: original)
        case .arithmetic(let lhs, let minus, let rhs):
            guard let a = try resolve(lhs, in: original), let b = try resolve(rhs, in: original) else { return nil }
            guard a.kind == .n, b.kind == .n else { throw .validation("Invalid UpdateExpression: Incorrect operand type for operator or function") }
            guard let x = a.text.flatMap({ Int64($0) }), let y = b.text.flatMap({ Int64($0) }),
                  case let (sum, overflow) = minus ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y), !overflow
            else { throw .unimplemented("arithmetic on numbers that are not 64-bit integers") }
            return .number(String(sum))
        }
    }
}

/// Which placeholders an expression uses: DynamoDB refuses a request that defines one it never uses.
enum Placeholders {
    static func collect(_ c: Condition, _ names: inout Set<String>, _ values: inout Set<String>) {
        switch c {
        case .and(let a, let b), .or(let a, let b): collect(a, &names, &values); collect(b, &names, &values)
        case .not(let a): collect(a, &names, &values)
        case .exists(let p), .notExists(let p): path(p, &names)
        case .compare(let l, _, let r): operand(l, &names, &values); operand(r, &names, &values)
        case .between(let x, let l, let h): for o in [x, l, h] { operand(o, &names, &values) }
        case .inList(let x, let list): for o in [x] + list { operand(o, &names, &values) }
        case .beginsWith(let x, let p): operand(x, &names, &values); operand(p, &names, &values)
        }
    }

    static func collect(_ u: UpdateActions, _ names: inout Set<String>, _ values: inout Set<String>) {
        for (p, v) in u.sets {
            path(p, &names)
            setValue(v, &names, &values)
        }
        for p in u.removes { path(p, &names) }
    }

    static func setValue(_ v: UpdateActions.SetValue, _ names: inout Set<String>, _ values: inout Set<String>) {
        switch v {
        case .operand(let o): operand(o, &names, &values)
        case .ifNotExists(let q, let o): path(q, &names); operand(o, &names, &values)
        case .arithmetic(let l, _, let r): setValue(l, &names, &values); operand(r, &names, &values)
        }
    }

    static func path(_ p: String, _ names: inout Set<String>) { if p.hasPrefix("#") { names.insert(p) } }

    static func operand(_ o: Operand, _ names: inout Set<String>, _ values: inout Set<String>) {
        switch o {
        case .path(let p): path(p, &names)
        case .value(let v): values.insert(v)
        }
    }
}
