'''python3-dbusmock template: Orca's D-Bus remote controller (Orca >= 49), the part liseur uses,
for liseur's tests (tests/dbus/).

The service org.gnome.Orca.Service at /org/gnome/Orca/Service, interface
org.gnome.Orca.Service: PresentMessage(s message) -> b (README-REMOTE-CONTROLLER.md in Orca's
sources), and GetVersion() -> s. Parameters (-p JSON):
  present   what PresentMessage answers (default true; false: Orca refuses the message)
'''

BUS_NAME = 'org.gnome.Orca.Service'
MAIN_OBJ = '/org/gnome/Orca/Service'
MAIN_IFACE = 'org.gnome.Orca.Service'
SYSTEM_BUS = False


def load(mock, parameters):
    answer = 'True' if parameters.get('present', True) else 'False'
    mock.AddMethods(MAIN_IFACE, [
        ('PresentMessage', 's', 'b', 'ret = ' + answer),
        ('GetVersion', '', 's', 'ret = "49.0"'),
    ])
