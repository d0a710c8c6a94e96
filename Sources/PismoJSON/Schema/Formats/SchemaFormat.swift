/// The `format` values Pismo can assert. Unknown names are annotations only (never fail).
///
/// `isValid(utf8:)` takes the decoded string's UTF-8; the date/time checkers work on the bytes
/// directly (event_time is checked on every event), the rarer ones build a `String`.
public enum SchemaFormat: String, Sendable, CaseIterable {
    case dateTime = "date-time", date, time, duration
    case email, idnEmail = "idn-email", hostname, idnHostname = "idn-hostname"
    case ipv4, ipv6, uri, uriReference = "uri-reference", iri, iriReference = "iri-reference"
    case uuid, jsonPointer = "json-pointer", relativeJSONPointer = "relative-json-pointer"
    case regex, uriTemplate = "uri-template"

    public func isValid(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .dateTime: return DateTimeFormats.isDateTime(utf8)
        case .date: return DateTimeFormats.isDate(utf8)
        case .time: return DateTimeFormats.isTime(utf8)
        case .duration: return DateTimeFormats.isDuration(utf8)
        default: return isValid(String(decoding: utf8, as: UTF8.self))
        }
    }

    public func isValid(_ text: String) -> Bool {
        switch self {
        case .dateTime, .date, .time, .duration:
            var copy = text
            return copy.withUTF8 { isValid(utf8: $0) }
        case .email: return AddressFormats.isEmail(text, idn: false)
        case .idnEmail: return AddressFormats.isEmail(text, idn: true)
        case .hostname: return HostnameFormats.isHostname(text)
        case .idnHostname: return HostnameFormats.isIDNHostname(text)
        case .ipv4: return AddressFormats.isIPv4(text)
        case .ipv6: return AddressFormats.isIPv6(text)
        case .uri: return URIFormats.isURI(text, reference: false, iri: false)
        case .uriReference: return URIFormats.isURI(text, reference: true, iri: false)
        case .iri: return URIFormats.isURI(text, reference: false, iri: true)
        case .iriReference: return URIFormats.isURI(text, reference: true, iri: true)
        case .uuid: return MiscFormats.isUUID(text)
        case .jsonPointer: return MiscFormats.isJSONPointer(Substring(text))
        case .relativeJSONPointer: return MiscFormats.isRelativeJSONPointer(text)
        case .regex: return (try? ECMARegex(text)) != nil
        case .uriTemplate: return MiscFormats.isURITemplate(text)
        }
    }
}
