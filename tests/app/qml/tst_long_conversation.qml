import QtQuick
import QtQuick.Controls
import QtTest
import Tessera.Ui

// A long conversation in the chat view: it opens on its newest page, and scrolling to the
// top puts the page above in front without moving what was shown.
Item {
    id: root
    width: 600
    height: 600

    TestCase {
        name: "LongConversation"
        when: windowShown

        Component { id: chatComponent; ChatView { controller: testController; width: 600; height: 600 } }

        function topIndex(list) { return list.indexAt(list.width / 2, list.contentY + list.topMargin) }
        // As the user does: near the top, then a turn of the mouse wheel up to it.
        function scrollToTop(list) {
            list.contentY = list.originY - list.topMargin + 30
            mouseWheel(list, list.width / 2, list.height / 2, 0, 360)
        }

        function test_scrollingToTheTopLoadsTheOlderPageInPlace() {
            verify(appReady, "the app could not start on the bundled model")
            const id = testData.addLongConversation(600)
            verify(id > 0)
            testController.openConversation(id)
            const chat = createTemporaryObject(chatComponent, root)
            const list = findChild(chat, "messageList")
            tryCompare(list, "count", 200)
            tryVerify(() => list.atYEnd)
            compare(testController.messages.hasOlder, true)

            scrollToTop(list)
            tryCompare(list, "count", 400)
            // The message that was at the top ("message 400", now row 200) is still there.
            tryCompare(list, "atYBeginning", false)
            compare(topIndex(list), 200)
            compare(list.itemAtIndex(200).answer, "message 400")

            scrollToTop(list)
            tryCompare(list, "count", 600)
            compare(testController.messages.hasOlder, false)
            compare(topIndex(list), 200)
            scrollToTop(list)
            wait(50)
            compare(list.count, 600)  // the first message is shown: nothing more to load
        }
    }
}
