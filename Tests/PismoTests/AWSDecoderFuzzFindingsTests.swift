import Testing
import Transport
@testable import Pismo

/// What scripts/fuzz-aws.sh found in the AWS response decoders, kept as tests so it stays fixed.
@Suite("AWS response decoders: fuzz findings")
struct AWSDecoderFuzzFindingsTests {
    /// The fuzzer's input (text U+030B): a combining mark right after '>' joined it into one
    /// Character, so the tag was never seen and the element read as absent.
    @Test func elementTextStartingWithACombiningMarkIsRead() {
        #expect(XMLText.first("Code", in: "<Code>\u{30B}</Code>") == "\u{30B}")
        let xml = "<ErrorResponse><Error><Code>X</Code><Message>\u{301}bad</Message></Error></ErrorResponse>"
        #expect(XMLText.first("Message", in: xml, within: "Error") == "\u{301}bad")
    }

    /// The same with ';': `&amp;` followed by a combining mark was left undecoded.
    @Test func entityFollowedByACombiningMarkIsDecoded() {
        #expect(XMLText.first("M", in: "<M>&amp;\u{301}x &lt;\u{302}</M>") == "&\u{301}x <\u{302}")
    }

    /// What an STS refusal says reaches the credential error (it was "HTTP 400" with no message).
    @Test func stsRefusalKeepsAMessageThatStartsWithACombiningMark() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
            + "<Message>\u{301} is not a valid token</Message></Error></ErrorResponse>"
        do {
            _ = try AssumeRoleWithWebIdentityXML.parse(HTTPResponse(status: 400, body: Array(body.utf8)), roleARN: "arn:aws:iam::1:role/r")
            Issue.record("a refusal was accepted")
        } catch {
            #expect("\(error)".contains("InvalidIdentityToken \u{301} is not a valid token"))
        }
    }

    /// A bare '&' (not valid XML, but a peer may send it) no longer swallows the entities after it,
    /// and what is not an entity we know stays as it was.
    @Test func bareAmpersandsAndUnknownEntitiesStayAsTheyAre() {
        #expect(XMLText.first("M", in: "<M>a & b &amp; c</M>") == "a & b & c")
        #expect(XMLText.first("M", in: "<M>&foo; &#xZZ; &#1114112; &#x41;&#66;</M>") == "&foo; &#xZZ; &#1114112; AB")
    }

    /// Still what the decoder was for: attributes on the tag, a self-closing tag, a longer name
    /// with the same start skipped.
    @Test func tagsWithAttributesSelfClosingAndSharedPrefixes() {
        #expect(XMLText.first("Code", in: #"<CodeSet>no</CodeSet><Code xmlns="x">yes</Code>"#) == "yes")
        #expect(XMLText.first("Token", in: "<Token/><Token>later</Token>") == "")
        #expect(XMLText.first("Code", in: "<Code>never closed") == nil)
    }
}
