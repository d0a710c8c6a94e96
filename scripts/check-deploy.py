#!/usr/bin/env python3
"""Checks deploy/cloudformation/pismo.yaml against the code, so the template cannot drift from what
`pismo init` creates or from what the services and docker-compose.yml run.

Usage: check-deploy.py [--self-test] DESCRIBE_JSON [TEMPLATE]
  DESCRIBE_JSON  the output of `pismo init --describe` with no PISMO_* variable set (the defaults)
  TEMPLATE       default deploy/cloudformation/pismo.yaml

--self-test breaks the template in each way listed in MUTATIONS and checks that each is caught.
Prints one line per check ("ok - ..." or "FAIL - ...") and ends with "N passed, N failed"; exits 1 on
any failure. cfn-lint is run by check-deploy.sh, not here.
"""
import json
import os
import re
import sys

import yaml  # PyPI PyYAML, installed with cfn-lint

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SQS_DEFAULT_RETENTION, SQS_DEFAULT_VISIBILITY = 345600, 30
SERVICES = {"processor": "ProcessorTaskDefinition", "deliver": "DeliverTaskDefinition"}


# ---------------------------------------------------------------- reading CloudFormation YAML

class CfnLoader(yaml.SafeLoader):
    """PyYAML with CloudFormation's short forms: `!Ref X` is {"Ref": X}, `!GetAtt A.B` is
    {"Fn::GetAtt": [A, B]}, any other `!Name v` is {"Fn::Name": v}."""


def _short_form(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + tag_suffix: value}


CfnLoader.add_multi_constructor("!", _short_form)


def load_template(path):
    with open(path) as f:
        return yaml.load(f, Loader=CfnLoader)


class Template:
    def __init__(self, doc):
        self.doc = doc
        self.resources = doc.get("Resources", {})
        self.defaults = {k: str(v.get("Default", "")) for k, v in doc.get("Parameters", {}).items()}

    def of_type(self, kind):
        return {k: r for k, r in self.resources.items() if r.get("Type") == kind}

    def resolve(self, value):
        """A property's value with parameters at their defaults; Ref to a resource stays a Ref."""
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref" and arg in self.defaults:
                return self.defaults[arg]
            if fn == "Fn::Sub" and isinstance(arg, str):
                return re.sub(r"\$\{([A-Za-z0-9:]+)\}", lambda m: self.defaults.get(m.group(1), "<%s>" % m.group(1)), arg)
        return value

    def name(self, logical_id, prop):
        return self.resolve(self.resources[logical_id].get("Properties", {}).get(prop))


# ---------------------------------------------------------------- checks

class Report:
    def __init__(self, quiet=False):
        self.passed = self.failed = 0
        self.quiet = quiet
        self.failures = []

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            line = "ok - " + what
        else:
            self.failed += 1
            line = "FAIL - %s%s" % (what, (": " + detail) if detail else "")
            self.failures.append(line)
        if not self.quiet:
            print(line)


def check_queues(t, plan, r):
    queues = t.of_type("AWS::SQS::Queue")
    by_name = {t.name(k, "QueueName"): k for k in queues}
    logical_by_env = {}
    for q in plan["queues"]:
        lid = by_name.get(q["name"])
        r.check(lid is not None, "queue %s (%s) is in the template" % (q["name"], q["env"]),
                "template queues: %s" % sorted(by_name))
        if lid is None:
            continue
        logical_by_env[q["env"]] = lid
        props = queues[lid].get("Properties", {})
        retention = int(props.get("MessageRetentionPeriod", SQS_DEFAULT_RETENTION))
        r.check(retention == q["MessageRetentionPeriod"], "queue %s retention %d s" % (q["name"], q["MessageRetentionPeriod"]),
                "template has %d" % retention)
        visibility = int(props.get("VisibilityTimeout", SQS_DEFAULT_VISIBILITY))
        r.check(visibility == q["VisibilityTimeout"], "queue %s visibility %d s" % (q["name"], q["VisibilityTimeout"]),
                "template has %d" % visibility)
        r.check(props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props,
                "queue %s is encrypted (SSE)" % q["name"])
    for q in plan["queues"]:
        lid = logical_by_env.get(q["env"])
        if lid is None:
            continue
        redrive = queues[lid].get("Properties", {}).get("RedrivePolicy")
        wanted = q["RedrivePolicy"]
        if wanted is None:
            r.check(redrive is None, "queue %s has no redrive policy" % q["name"], "template has %r" % redrive)
            continue
        target = logical_by_env.get(wanted["deadLetterTargetEnv"])
        got_target = (redrive or {}).get("deadLetterTargetArn")
        r.check(got_target == {"Fn::GetAtt": [target, "Arn"]},
                "queue %s redrives to %s" % (q["name"], wanted["deadLetterTargetEnv"]), "template has %r" % got_target)
        got_count = (redrive or {}).get("maxReceiveCount")
        r.check(got_count is not None and int(got_count) == wanted["maxReceiveCount"],
                "queue %s maxReceiveCount %d" % (q["name"], wanted["maxReceiveCount"]), "template has %r" % got_count)
    described = {q["name"] for q in plan["queues"]}
    extra = sorted(n for n in by_name if n not in described)
    r.check(not extra, "every queue in the template is one pismo init creates", "not created by init: %s" % extra)
    return logical_by_env


def check_tables(t, plan, r):
    tables = t.of_type("AWS::DynamoDB::Table")
    by_name = {t.name(k, "TableName"): k for k in tables}
    logical_by_env = {}
    for d in plan["tables"]:
        lid = by_name.get(d["name"])
        r.check(lid is not None, "table %s (%s) is in the template" % (d["name"], d["env"]),
                "template tables: %s" % sorted(by_name))
        if lid is None:
            continue
        logical_by_env[d["env"]] = lid
        props = tables[lid].get("Properties", {})
        types = {a["AttributeName"]: a["AttributeType"] for a in props.get("AttributeDefinitions", [])}
        got_keys = [(k["AttributeName"], k["KeyType"], types.get(k["AttributeName"])) for k in props.get("KeySchema", [])]
        want_keys = [(k["AttributeName"], k["KeyType"], k["AttributeType"]) for k in d["KeySchema"]]
        r.check(got_keys == want_keys, "table %s keys %s" % (d["name"], want_keys), "template has %s" % got_keys)
        got_view = (props.get("StreamSpecification") or {}).get("StreamViewType")
        r.check(got_view == d["StreamViewType"], "table %s stream %s" % (d["name"], d["StreamViewType"]),
                "template has %r" % got_view)
        ttl = props.get("TimeToLiveSpecification") or {}
        got_ttl = ttl.get("AttributeName") if ttl.get("Enabled") in (True, "true") else None
        r.check(got_ttl == d["TimeToLiveAttribute"], "table %s TTL attribute %s" % (d["name"], d["TimeToLiveAttribute"]),
                "template has %r" % got_ttl)
        billing = props.get("BillingMode", "PROVISIONED")
        r.check(billing == d["BillingMode"], "table %s billing %s" % (d["name"], d["BillingMode"]), "template has %s" % billing)
        r.check(props.get("DeletionProtectionEnabled") is True and tables[lid].get("DeletionPolicy") == "Retain",
                "table %s is protected from deletion and retained" % d["name"])
    events = logical_by_env.get("PISMO_EVENTS_TABLE")
    if events:
        pitr = tables[events]["Properties"].get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
        r.check(pitr is True, "the Events table has point-in-time recovery")
    described = {d["name"] for d in plan["tables"]}
    extra = sorted(n for n in by_name if n not in described)
    r.check(not extra, "every table in the template is one pismo init creates", "not created by init: %s" % extra)
    return logical_by_env


def container(t, service):
    return t.resources[SERVICES[service]]["Properties"]["ContainerDefinitions"][0]


def environment(t, service):
    return {e["Name"]: e["Value"] for e in container(t, service).get("Environment", [])}


def check_environment(t, plan, queues, tables, r):
    """Each service is told the names of the very resources the template creates."""
    for service in SERVICES:
        env = environment(t, service)
        for env_name, lid in sorted({**queues, **tables}.items()):
            r.check(env.get(env_name) == {"Ref": lid}, "%s gets %s from %s" % (service, env_name, lid),
                    "template sets %r" % env.get(env_name))


def check_environment_output(t, r):
    """The `Environment` output is the block the task definitions run with: same names, same values."""
    parts = t.doc.get("Outputs", {}).get("Environment", {}).get("Value", {}).get("Fn::Join", [None, []])[1]
    output = {}
    for part in parts:
        text = part.get("Fn::Sub") if isinstance(part, dict) else part
        name, _, value = str(text).partition("=")
        output[name] = value
    for service in SERVICES:
        env = environment(t, service)
        spelled = {}
        for name, value in env.items():
            if isinstance(value, dict) and "Ref" in value:
                spelled[name] = "${%s}" % value["Ref"]
            elif isinstance(value, dict) and "Fn::Sub" in value:
                spelled[name] = value["Fn::Sub"]
            else:
                spelled[name] = str(value)
        r.check(spelled == output, "the Environment output is %s's environment" % service,
                "differs in %s" % sorted(k for k in set(spelled) | set(output) if spelled.get(k) != output.get(k)))


def check_iam(t, text, r):
    statements = []
    for lid, res in t.of_type("AWS::IAM::Role").items():
        for policy in res["Properties"].get("Policies", []):
            for s in policy["PolicyDocument"]["Statement"]:
                if isinstance(s, dict) and "Fn::If" in s:
                    s = s["Fn::If"][1]
                statements.append((lid, s))
    wild_actions = [(lid, a) for lid, s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
                    if a == "*" or a.endswith(":*")]
    r.check(not wild_actions, "no IAM statement allows every action of a service", "found %s" % wild_actions)
    task_star = [lid for lid, s in statements if lid.endswith("TaskRole") and "*" in
                 ([s["Resource"]] if not isinstance(s["Resource"], list) else s["Resource"])]
    r.check(not task_star, "the task roles name every resource (no \"*\")", "found in %s" % task_star)
    # Every `Resource: "*"` left (the execution role's) says why, in a comment above its statement.
    lines = text.splitlines()
    uncommented = []
    for i, line in enumerate(lines):
        if re.search(r'Resource:\s*"\*"', line):
            j = i
            while j > 0 and not re.match(r"\s*- Effect:", lines[j]):
                j -= 1
            if not lines[j - 1].strip().startswith("#"):
                uncommented.append(i + 1)
    r.check(not uncommented, 'every Resource "*" is commented', "lines %s" % uncommented)


def check_lint_suppressions(text, r):
    """cfn-lint rules may be switched off only with a comment saying why."""
    lines = text.splitlines()
    bare = [i + 1 for i, line in enumerate(lines) if "ignore_checks" in line and not lines[i - 1].strip().startswith("#")]
    r.check(not bare, "no cfn-lint rule is suppressed without a comment", "lines %s" % bare)


def check_alarms(t, queues, r):
    alarms = t.of_type("AWS::CloudWatch::Alarm").values()
    topic = {"Ref": "AlarmTopicArn"}

    def simple(metric, queue_lid):
        return [a for a in alarms if a["Properties"].get("MetricName") == metric and topic in a["Properties"].get("AlarmActions", [])
                and a["Properties"].get("Dimensions") == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_lid, "QueueName"]}}]]

    for env in ("PISMO_EVENTS_DLQ", "PISMO_DELIVER_DLQ"):
        found = [a for a in simple("ApproximateNumberOfMessagesVisible", queues.get(env)) if a["Properties"].get("Threshold") == 0]
        r.check(bool(found), "an alarm fires on any message in %s" % env)
    for env in ("PISMO_EVENTS_QUEUE", "PISMO_RETRY_QUEUE"):
        r.check(bool(simple("ApproximateAgeOfOldestMessage", queues.get(env))), "an alarm watches the oldest message's age in %s" % env)
    namespace = environment(t, "deliver").get("PISMO_METRICS_EMF_NAMESPACE")
    age = [a for a in alarms if a["Properties"].get("MetricName") == "StreamIteratorAge" and topic in a["Properties"].get("AlarmActions", [])]
    r.check(bool(age) and all(a["Properties"].get("Namespace") == namespace for a in age),
            "an alarm watches the iterator age in deliver's EMF namespace")
    health = [a for a in alarms if any((m.get("MetricStat") or {}).get("Metric", {}).get("MetricName") == "RunningTaskCount"
                                       for m in a["Properties"].get("Metrics", []))]
    r.check(len(health) == len(SERVICES), "each service has a running-below-desired (health check) alarm")
    # The EMF metrics alarms and scaling read must be ones the services write (EMFReporter.swift).
    with open(os.path.join(ROOT, "Sources/Pismo/Metrics/EMFReporter.swift")) as f:
        written = set(re.findall(r'as: "(\w+)"', f.read()))
    used = set()
    for a in alarms:
        p = a["Properties"]
        if p.get("Namespace") == namespace:
            used.add(p.get("MetricName"))
        for m in p.get("Metrics", []):
            metric = (m.get("MetricStat") or {}).get("Metric", {})
            if metric.get("Namespace") == namespace:
                used.add(metric.get("MetricName"))
    r.check(used and used <= written, "every EMF metric the alarms read is one the services write",
            "not written: %s" % sorted(used - written))


def check_compose_and_dockerfile(t, r):
    with open(os.path.join(ROOT, "docker-compose.yml")) as f:
        compose = yaml.safe_load(f)["services"]
    for service in SERVICES:
        c = container(t, service)
        cs = compose.get(service, {})
        r.check(cs.get("command") == c.get("Command"), "%s runs the same command in compose and the template" % service,
                "compose %r, template %r" % (cs.get("command"), c.get("Command")))
        r.check((cs.get("healthcheck") or {}).get("test") == c.get("HealthCheck", {}).get("Command"),
                "%s has the same health check in compose and the template" % service,
                "compose %r, template %r" % ((cs.get("healthcheck") or {}).get("test"), c.get("HealthCheck", {}).get("Command")))
        compose_ports = [int(str(p).split(":")[-1]) for p in cs.get("ports", [])]
        template_ports = [m["ContainerPort"] for m in c.get("PortMappings", [])]
        r.check(compose_ports == template_ports, "%s listens on the same port in compose and the template" % service,
                "compose %r, template %r" % (compose_ports, template_ports))
        compose_env = cs.get("environment") or {}
        names = set(compose_env) if isinstance(compose_env, dict) else {e.split("=")[0] for e in compose_env}
        missing = sorted(n for n in names if (n.startswith("PISMO_") or n == "DIRECT_DISPATCH") and n not in environment(t, service))
        r.check(not missing, "every Pismo variable compose sets for %s the template sets too" % service, "missing %s" % missing)
        r.check("EntryPoint" not in c, "%s keeps the image's entrypoint" % service)
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        dockerfile = f.read()
    runtime = dockerfile.split("\nFROM ")[-1]
    r.check('ENTRYPOINT ["/usr/local/bin/pismo"]' in runtime, "the image's entrypoint is pismo")
    r.check(re.search(r"apt-get install[^\n]*\bcurl\b", runtime) is not None, "the runtime image has curl for the health checks")


def run_checks(plan, text, quiet=False):
    t = Template(yaml.load(text, Loader=CfnLoader))
    r = Report(quiet)
    queues = check_queues(t, plan, r)
    tables = check_tables(t, plan, r)
    check_environment(t, plan, queues, tables, r)
    check_environment_output(t, r)
    check_iam(t, text, r)
    check_lint_suppressions(text, r)
    check_alarms(t, queues, r)
    check_compose_and_dockerfile(t, r)
    return r


# Each breaks the template in one way the check exists to catch; each must make a named check fail.
MUTATIONS = [
    ("a dead-letter queue keeps 4 days", "events-dlq\"\n      MessageRetentionPeriod: 1209600", "events-dlq\"\n      MessageRetentionPeriod: 345600",
     "queue events-dlq retention"),
    ("the events queue redrives after 3 receives", "maxReceiveCount: 5", "maxReceiveCount: 3", "queue events maxReceiveCount"),
    ("the events queue's visibility is 60 s", "QueueName: !Sub \"${NamePrefix}events\"\n      MessageRetentionPeriod: 345600\n      VisibilityTimeout: 30",
     "QueueName: !Sub \"${NamePrefix}events\"\n      MessageRetentionPeriod: 345600\n      VisibilityTimeout: 60", "queue events visibility"),
    ("Events' range key is renamed", "{ AttributeName: event_key, KeyType: RANGE }", "{ AttributeName: event_id, KeyType: RANGE }",
     "table Events keys"),
    ("Events' stream carries old images too", "StreamViewType: NEW_IMAGE", "StreamViewType: NEW_AND_OLD_IMAGES", "table Events stream"),
    ("the attempts TTL reads another attribute", "AttributeName: expires_at", "AttributeName: ttl", "table pismo-attempts TTL attribute"),
    ("a table is renamed", "TableName: !Sub \"${NamePrefix}routes\"", "TableName: !Sub \"${NamePrefix}pismo-routes\"",
     "table routes (PISMO_ROUTES_TABLE) is in the template"),
    # The second container (deliver) of the two that set it.
    ("deliver is given another queue", "- { Name: PISMO_RETRY_QUEUE, Value: !Ref RetryQueue }",
     "- { Name: PISMO_RETRY_QUEUE, Value: !Ref DeliverDLQ }", "deliver gets PISMO_RETRY_QUEUE from RetryQueue", 1),
    ("the Environment output misses a variable", "        - \"PISMO_LOG_LEVEL=info\"\n", "",
     "the Environment output is deliver's environment"),
    ("a task role gets every SQS action", "Action: [sqs:SendMessage, sqs:ReceiveMessage, sqs:ChangeMessageVisibility, sqs:DeleteMessage]",
     "Action: \"sqs:*\"", "no IAM statement allows every action"),
    ("the deliver-dlq alarm watches events-dlq", "Dimensions: [{ Name: QueueName, Value: !GetAtt DeliverDLQ.QueueName }]",
     "Dimensions: [{ Name: QueueName, Value: !GetAtt EventsDLQ.QueueName }]", "any message in PISMO_DELIVER_DLQ"),
    ("deliver's health check moves to another port", "[CMD, curl, -fs, \"http://localhost:9102/healthz\"]",
     "[CMD, curl, -fs, \"http://localhost:9103/healthz\"]", "deliver has the same health check"),
]


def self_test(plan, text):
    """The check must fail for real: every mutation above makes its named check fail."""
    r = Report()
    for what, old, new, expected, *nth in MUTATIONS:
        # Its text must be where it is expected (the nth of its occurrences, the only one by default).
        starts = [m.start() for m in re.finditer(re.escape(old), text)]
        index = nth[0] if nth else 0
        if index >= len(starts) or (not nth and len(starts) != 1):
            r.check(False, "mutation '%s' applies" % what, "%d matches for its text" % len(starts))
            continue
        at = starts[index]
        broken = run_checks(plan, text[:at] + new + text[at + len(old):], quiet=True)
        hit = [f for f in broken.failures if expected in f]
        r.check(bool(hit), "breaking the template (%s) fails the check" % what,
                "failures were %s" % (broken.failures or "none"))
    return r


def main():
    args = [a for a in sys.argv[1:] if a != "--self-test"]
    if not args:
        sys.exit(__doc__)
    with open(args[0]) as f:
        plan = json.load(f)
    path = args[1] if len(args) > 1 else os.path.join(ROOT, "deploy/cloudformation/pismo.yaml")
    with open(path) as f:
        text = f.read()
    r = self_test(plan, text) if "--self-test" in sys.argv else run_checks(plan, text)
    print("%d passed, %d failed" % (r.passed, r.failed))
    sys.exit(1 if r.failed else 0)


if __name__ == "__main__":
    main()
