/// How far behind the stream a shard's reader is, the figure Lambda reports as IteratorAge for its
/// stream consumers: now minus the approximate creation time of the last record read.
///
/// A read that finds nothing (a page of no records, with the shard still open) means the reader is at
/// the tip of the shard: the age is 0, not the last value. Lambda simply reports nothing then; a
/// gauge that kept its last value would keep an alarm firing on a stream that went quiet after a
/// backlog. The cost: GetRecords may also return an empty page in the middle of a shard, before a
/// later portion with records; the age then reads 0 until the next record. DynamoDB reports creation
/// times to the second, so small ages are approximate.
enum IteratorAge {
    /// The age in seconds after reading `records`; nil when they tell nothing (no record carries a
    /// creation time) and the previous value stands.
    static func seconds(afterReading records: [ChangeRecord], nowMillis: Int64) -> Double? {
        if records.isEmpty { return 0 }
        guard let created = records.last(where: { $0.approximateCreationMillis != nil })?.approximateCreationMillis else {
            return nil
        }
        return Double(max(0, nowMillis - created)) / 1000
    }
}
