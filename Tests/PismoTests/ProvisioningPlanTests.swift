import Foundation
import Testing
@testable import Pismo

/// The plan `pismo init` creates and `pismo init --describe` prints (compared with the
/// CloudFormation template by scripts/check-deploy.sh).
@Suite struct ProvisioningPlanTests {
    /// Each entry's `env` is the variable that really renames it: the description's names and the
    /// settings' variables cannot drift apart.
    @Test func everyEntryIsRenamedByTheVariableItNames() throws {
        let plan = ProvisioningPlan.of(PismoSettings())
        for queue in plan.queues {
            let renamed = ProvisioningPlan.of(try PismoSettings.fromEnvironment([queue.env: "https://sqs.test/1/renamed-q"]))
            #expect(renamed.queue(env: queue.env)?.name == "renamed-q", "\(queue.env)")
        }
        for table in plan.tables {
            let renamed = ProvisioningPlan.of(try PismoSettings.fromEnvironment([table.env: "renamed-t"]))
            #expect(renamed.tables.first { $0.env == table.env }?.name == "renamed-t", "\(table.env)")
        }
    }

    @Test func redriveTargetsAreCreatedFirst() {
        let plan = ProvisioningPlan.of(PismoSettings())
        for (index, queue) in plan.queues.enumerated() {
            guard let target = queue.redriveTarget else { continue }
            let targetIndex = plan.queues.firstIndex { $0.env == target }
            #expect(targetIndex != nil && targetIndex! < index, "\(queue.name) redrives to \(target)")
        }
    }

    @Test func theContractValues() throws {
        let plan = ProvisioningPlan.of(PismoSettings())
        let events = try #require(plan.queue(env: "PISMO_EVENTS_QUEUE"))
        #expect(events.name == "events" && events.maxReceiveCount == 5 && events.redriveTarget == "PISMO_EVENTS_DLQ")
        #expect(events.visibilitySeconds == MessageHandler.defaultVisibilityTimeoutSeconds)
        for env in ["PISMO_EVENTS_DLQ", "PISMO_DELIVER_DLQ", "PISMO_RETRY_QUEUE"] {
            #expect(plan.queue(env: env)?.retentionSeconds == 14 * 86_400, "\(env)")
            #expect(plan.queue(env: env)?.redriveTarget == nil, "\(env)")
        }
        #expect(plan.tables.map(\.name) == ["Events", "routes", "pismo-leases", "pismo-attempts"])
        #expect(plan.tables.first?.stream == .newImage)
        #expect(plan.tables.last?.ttlAttribute == "expires_at")
        let attributes = ProvisioningPlan.attributes(events, redriveTargetARN: "arn:aws:sqs:us-east-1:1:events-dlq")
        #expect(attributes["RedrivePolicy"] == #"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:events-dlq","maxReceiveCount":"5"}"#)
        #expect(attributes["VisibilityTimeout"] == "30" && attributes["MessageRetentionPeriod"] == "345600")
    }

    @Test func describeIsJSONWithTheTemplatesFieldNames() throws {
        let json = ProvisioningPlan.of(PismoSettings()).json
        let root = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let queues = try #require(root["queues"] as? [[String: Any]])
        let events = try #require(queues.first { $0["env"] as? String == "PISMO_EVENTS_QUEUE" })
        #expect((events["RedrivePolicy"] as? [String: Any])?["maxReceiveCount"] as? Int == 5)
        let tables = try #require(root["tables"] as? [[String: Any]])
        let keys = try #require(tables.first?["KeySchema"] as? [[String: String]])
        #expect(keys == [["AttributeName": "client_id", "KeyType": "HASH", "AttributeType": "S"],
                         ["AttributeName": "event_key", "KeyType": "RANGE", "AttributeType": "S"]])
    }
}
