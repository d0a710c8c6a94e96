#!/usr/bin/env bash
# Fuzzes the AWS response decoders (DynamoDB items and AttributeValues, Streams records,
# UnprocessedItems, SQS messages, JSON and XML error bodies, STS and metadata credentials) for
# FUZZ_SECONDS (default 60). Only the decoders' files are built: PismoJSON's reader and writer and
# Transport's HTTP value types as modules of their own, OpenSSL digests for the SQS MD5 checks.
set -uo pipefail
cd "$(dirname "$0")/.."
aws=Sources/Pismo/AWS
exec bash fuzz/run-swift-target.sh aws fuzz/aws/corpus \
    $aws/Protocol/AWSError.swift $aws/Protocol/AWSErrorParser.swift $aws/Protocol/JSONNode+AWS.swift \
    $aws/Encoding/XMLText.swift \
    $aws/DynamoDB/DynamoDBValue.swift $aws/DynamoDB/DynamoDBItemSize.swift $aws/DynamoDB/DynamoDBTypes.swift \
    $aws/DynamoDB/DynamoDBWriteRequest+JSON.swift \
    $aws/Streams/StreamsTypes.swift $aws/Streams/StreamRecord+JSON.swift \
    $aws/SQS/SQSCoding.swift $aws/SQS/SQSTypes.swift $aws/SQS/SQSMessageMD5.swift $aws/Signing/Digests.swift \
    $aws/Credentials/CredentialProvider.swift $aws/Credentials/MetadataCredentialsJSON.swift \
    $aws/Credentials/AssumeRoleWithWebIdentityXML.swift $aws/Signing/AWSCredentials.swift $aws/Signing/AWSTimestamp.swift \
    Sources/Pismo/Common/CivilTime.swift fuzz/aws/FuzzAWS.swift \
    -- Sources/CSystemShims/digest_shims.c \
    --module PismoJSON Sources/PismoJSON/JSON/*.swift \
    --module Transport Sources/Transport/HTTP/HTTPTypes.swift Sources/Transport/HTTP/ResponseReading.swift \
    --link crypto z
