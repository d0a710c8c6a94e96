import Foundation
import Testing
@testable import Pismo

/// `pismo init` against moto creates what `ProvisioningPlan` (and so `pismo init --describe`, which
/// the CloudFormation check reads) says: the check compares the template with the plan, this test the
/// plan with what AWS's API then reports.
@Suite("Provisioning against moto", .timeLimit(.minutes(2)))
struct ProvisioningOnMotoTests {
    @Test func initCreatesWhatThePlanDescribes() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
        // Twice: the second run meets every queue, table and TTL already in place.
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()

        let plan = ProvisioningPlan.of(settings)
        var arns: [String: String] = [:]
        for queue in plan.queues {
            let attributes = try await aws.sqs.getQueueAttributes(queueURL: try await aws.queueURL(queue.name))
            arns[queue.env] = attributes["QueueArn"]
            #expect(attributes["MessageRetentionPeriod"] == String(queue.retentionSeconds), "\(queue.name)")
            #expect(attributes["VisibilityTimeout"] == String(queue.visibilitySeconds), "\(queue.name)")
            if let target = queue.redriveTarget {
                let policy = try #require(attributes["RedrivePolicy"])
                let json = try #require(JSONSerialization.jsonObject(with: Data(policy.utf8)) as? [String: Any])
                #expect(json["deadLetterTargetArn"] as? String == arns[target])
                #expect("\(json["maxReceiveCount"] ?? "")" == String(queue.maxReceiveCount ?? 0))
            } else {
                #expect(attributes["RedrivePolicy"] == nil, "\(queue.name)")
            }
        }
        for table in plan.tables {
            let description = try await aws.dynamo.describeTable(name: table.name)
            #expect(description.keySchema == table.key.map(\.name), "\(table.name)")
            #expect(description.streamViewType == table.stream?.rawValue, "\(table.name)")
            #expect(description.billingMode == table.billingMode, "\(table.name)")
            let ttl = try await aws.dynamo.describeTimeToLive(table: table.name)
            #expect((ttl.status == "ENABLED" ? ttl.attribute : nil) == table.ttlAttribute, "\(table.name)")
        }
    }
}
