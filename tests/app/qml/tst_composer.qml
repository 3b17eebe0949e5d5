import QtQuick
import QtTest
import Tessera.Ui

// testController and appReady come from quick_test_main.cpp (a real controller).
// TestCase is not visible itself: what is tested is created in the visible root.
Item {
    id: root
    width: 600
    height: 200

    TestCase {
        id: testCase
        name: "Composer"
        when: windowShown

        Component { id: composerComponent; Composer { controller: testController; width: 600; height: 120 } }

        function initTestCase() { verify(appReady, "the app could not start on the bundled model") }

        function test_shiftEnterStartsALineAndEnterSends() {
            testController.newChat()
            const composer = createTemporaryObject(composerComponent, root)
            composer.focusInput()
            keyClick(Qt.Key_A)
            keyClick(Qt.Key_Return, Qt.ShiftModifier)
            keyClick(Qt.Key_B)
            compare(composer.text, "a\nb")
            compare(testController.conversationId, 0)
            keyClick(Qt.Key_Return)
            verify(testController.conversationId !== 0, "Enter did not send")
            compare(composer.text, "")
            tryVerify(() => !testController.generating, 60000)
        }

        function test_anEmptyMessageIsNotSent() {
            testController.newChat()
            const composer = createTemporaryObject(composerComponent, root)
            composer.focusInput()
            keyClick(Qt.Key_Space)
            keyClick(Qt.Key_Return)
            compare(testController.conversationId, 0)
        }
    }
}
