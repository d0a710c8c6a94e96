import PismoJSON
import Foundation

/// JSON shapes shared by several SQS operations: message attributes out, messages and batch results in.
enum SQSCoding {
    static func writeAttributes(_ attributes: [String: SQSMessageAttribute], into w: inout JSONWriter) {
        w.key("MessageAttributes")
        w.beginObject()
        for (name, attribute) in attributes.sorted(by: { $0.key < $1.key }) {
            w.key(name)
            w.beginObject()
            w.key("DataType")
            w.string(attribute.dataType)
            if let binary = attribute.binaryValue {
                w.key("BinaryValue")
                w.string(Data(binary).base64EncodedString())
            } else {
                w.key("StringValue")
                w.string(attribute.stringValue ?? "")
            }
            w.endObject()
        }
        w.endObject()
    }

    static func readAttributes(_ node: JSONNode?) -> [String: SQSMessageAttribute] {
        guard let node else { return [:] }
        var out: [String: SQSMessageAttribute] = [:]
        for (name, value) in node.members {
            let type = value["DataType"]?.string ?? "String"
            let binary = value["BinaryValue"]?.string.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            out[name] = SQSMessageAttribute(dataType: type, stringValue: value["StringValue"]?.string, binaryValue: binary)
        }
        return out
    }

    static func readStringMap(_ node: JSONNode?) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in node.fields { out[key] = value.string ?? value.numberText ?? "" }
        return out
    }

    static func readFailures(_ node: JSONNode?) -> [SQSBatchFailure] {
        node.items.map { f in
            SQSBatchFailure(id: f["Id"]?.string ?? "", senderFault: f["SenderFault"]?.bool ?? false,
                            code: f["Code"]?.string ?? "", message: f["Message"]?.string ?? "")
        }
    }

    /// A ReceiveMessage response's messages, each checked (see `readMessage`).
    static func readMessages(in root: JSONNode) throws -> [SQSMessage] {
        try root["Messages"].items.map { try readMessage($0, operation: "ReceiveMessage") }
    }

    /// Decodes one message and checks its MD5s (body always; attributes when both sides have any).
    static func readMessage(_ m: JSONNode, operation: String) throws -> SQSMessage {
        let body = m["Body"]?.string ?? ""
        let message = SQSMessage(messageID: m["MessageId"]?.string ?? "", receiptHandle: m["ReceiptHandle"]?.string ?? "",
                                 body: body, md5OfBody: m["MD5OfBody"]?.string ?? "",
                                 attributes: readStringMap(m["Attributes"]),
                                 messageAttributes: readAttributes(m["MessageAttributes"]))
        try verify(body: body, md5: m["MD5OfBody"]?.string, attributes: message.messageAttributes,
                   attributesMD5: m["MD5OfMessageAttributes"]?.string, messageID: message.messageID, operation: operation)
        return message
    }

    static func verify(body: String, md5: String?, attributes: [String: SQSMessageAttribute], attributesMD5: String?,
                       messageID: String, operation: String) throws {
        if let md5, md5 != SQSMessageMD5.body(body) {
            throw mismatch("MD5OfMessageBody", messageID: messageID, operation: operation)
        }
        // Only when attributes exist: emulators have returned the MD5 of empty input for none.
        if !attributes.isEmpty, let attributesMD5, attributesMD5 != SQSMessageMD5.attributes(attributes) {
            throw mismatch("MD5OfMessageAttributes", messageID: messageID, operation: operation)
        }
    }

    private static func mismatch(_ what: String, messageID: String, operation: String) -> AWSError {
        AWSError(service: "sqs", operation: operation, status: 200, code: AWSError.md5Mismatch,
                 message: "\(what) does not match the content of message \(messageID)")
    }
}
