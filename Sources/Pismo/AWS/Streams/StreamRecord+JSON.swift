import PismoJSON

/// One record of a GetRecords response. Kept apart from the client so the decoder can be built
/// and fuzzed on its own (scripts/fuzz-aws.sh): every field is optional on the wire, and an image
/// that is not a valid item reads as absent rather than failing the whole page.
extension StreamRecord {
    init(json node: JSONNode) {
        let d = node["dynamodb"]
        self.init(eventID: node["eventID"]?.string ?? "", eventName: node["eventName"]?.string ?? "",
                  sequenceNumber: d?["SequenceNumber"]?.string ?? "",
                  keys: DynamoDBValue.readItem(d?["Keys"]) ?? [:],
                  newImage: DynamoDBValue.readItem(d?["NewImage"]), oldImage: DynamoDBValue.readItem(d?["OldImage"]),
                  approximateCreationDateTime: d?["ApproximateCreationDateTime"]?.double,
                  sizeBytes: d?["SizeBytes"]?.int, streamViewType: d?["StreamViewType"]?.string)
    }
}
