import QtQuick
import QtTest
import Tessera.Ui

// TestCase is not visible itself: what is tested is created in the visible root.
Item {
    id: root
    width: 300
    height: 60

    TestCase {
        id: testCase
        name: "SiblingSwitcher"
        when: windowShown

        Component { id: switcherComponent; SiblingSwitcher { index: 1; count: 3 } }

        function test_showsThePositionAndAsksToMove() {
            const switcher = createTemporaryObject(switcherComponent, root)
            const moves = createTemporaryObject(spyComponent, root, { target: switcher })
            compare(findChild(switcher, "positionLabel").text, "2/3")
            mouseClick(findChild(switcher, "nextButton"))
            mouseClick(findChild(switcher, "previousButton"))
            compare(moves.count, 2)
            compare(moves.signalArguments[0][0], 1)
            compare(moves.signalArguments[1][0], -1)
        }

        function test_endsAreDisabledAndASingleMessageHasNoSwitcher() {
            const switcher = createTemporaryObject(switcherComponent, root, { index: 0 })
            verify(!findChild(switcher, "previousButton").enabled)
            verify(findChild(switcher, "nextButton").enabled)
            switcher.index = 2
            verify(!findChild(switcher, "nextButton").enabled)
            verify(switcher.visible)
            switcher.count = 1
            verify(!switcher.visible)
        }

        Component { id: spyComponent; SignalSpy { signalName: "moveRequested" } }
    }
}
