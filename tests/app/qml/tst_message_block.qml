import QtQuick
import QtTest
import Tessera.Ui

// TestCase is not visible itself: what is tested is created in the visible root.
Item {
    id: root
    width: 600
    height: 400

    TestCase {
        id: testCase
        name: "MessageBlock"
        when: windowShown

        Component { id: blockComponent; MessageBlock { width: 600 } }

        function test_proseIsMarkdownCodeIsPlainMonospace() {
            const prose = createTemporaryObject(blockComponent, root, { block: { code: false, text: "**bold**", language: "" } })
            compare(findChild(prose, "prose").textFormat, TextEdit.MarkdownText)
            verify(findChild(prose, "prose").visible)
            verify(!findChild(prose, "code").visible)

            const code = createTemporaryObject(blockComponent, root, { block: { code: true, text: "int x = *p;", language: "c" } })
            verify(findChild(code, "code").visible)
            compare(findChild(code, "code").text, "int x = *p;")
            compare(findChild(code, "code").textFormat, TextEdit.PlainText)
            verify(code.implicitHeight > 0)
        }

        // The model marks prose too long or too deeply nested for Markdown (message_blocks.h, U6).
        function test_proseMarkedPlainIsShownAsPlainText() {
            const block = createTemporaryObject(blockComponent, root, { block: { code: false, text: ">".repeat(100000), language: "", plain: true } })
            compare(findChild(block, "prose").textFormat, TextEdit.PlainText)
            compare(findChild(block, "prose").text.length, 100000)
        }
    }
}
