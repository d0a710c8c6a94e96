import Testing
@testable import PismoJSON

@Suite struct SchemaDecimalTests {
    private func d(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

    @Test func parsesAndNormalises() {
        #expect(d("1.0") == d("1"))
        #expect(d("100") == d("1e2"))
        #expect(d("-0.0") == d("0"))
        #expect(d("1.5e1").isInteger)
        #expect(!d("1.5").isInteger)
        #expect(ExactDecimal("1.") != nil)  // lenient on the schema side; JSON reader rejects it first
        #expect(ExactDecimal("e5") == nil)
    }

    @Test func comparesExactly() {
        #expect(ExactDecimal.compare(d("18446744073709551616"), d("18446744073709551615")) == 1)
        #expect(ExactDecimal.compare(d("-2"), d("-10")) == 1)
        #expect(ExactDecimal.compare(d("0.1"), d("1e-1")) == 0)
        #expect(ExactDecimal.compare(d("-1e-400"), d("0")) == -1)
        #expect(ExactDecimal.compare(d("98249283749234923498293171823948729348710298301928331"),
                                      d("98249283749234923498293171823948729348710298301928332")) == -1)
    }

    @Test func multipleOfIsExactForDecimals() {
        #expect(d("0.3").isMultiple(of: d("0.1")))
        #expect(!d("0.31").isMultiple(of: d("0.1")))
        #expect(d("19.99").isMultiple(of: d("0.01")))
        #expect(d("1e308").isMultiple(of: d("0.5")))
        #expect(!d("0.00751").isMultiple(of: d("0.0001")))
        #expect(d("0.0075").isMultiple(of: d("0.0001")))
        #expect(d("0").isMultiple(of: d("7")))
        #expect(!d("7").isMultiple(of: d("0")))
    }
}
