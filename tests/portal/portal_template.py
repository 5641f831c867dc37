'''python3-dbusmock template: a fake xdg-desktop-portal (org.freedesktop.portal.Desktop) with the
Screenshot and GlobalShortcuts interfaces, for liseur's tests (tests/portal/).

Parameters (a JSON object given with -p):
  interfaces   list of the interfaces offered: "Screenshot", "GlobalShortcuts" (default both)
  screenshot   what Screenshot answers: "ok" (response 0 and a PNG file), "cancel" (1),
               "refuse" (2), "silent" (no answer at all), "http" (a non-file URI),
               "symlink" (the URI names a symlink to the PNG)
  png          the PNG file whose bytes the fake desktop "writes" (copied into out_dir)
  out_dir      where the fake desktop writes its screenshot files
  shortcuts    what BindShortcuts answers: "ok" (binds them all), "cancel" (1), "refuse" (2)
  session      what CreateSession answers: "ok", "refuse"
  delay_ms     how long after the method's reply the Response signal comes (default 30); -1
               sends it before the reply, as a fast desktop may (the client must have
               subscribed before calling)

Like the real portal, each request gets a Request object at
/org/freedesktop/portal/desktop/request/SENDER/TOKEN (with a Close method, logged in its own
call log) and the Response signal is sent to the caller after the method returned.
'''

import os
import shutil

import dbus
import dbus.lowlevel
import dbus.service
from dbusmock import mockobject
from gi.repository import GLib

BUS_NAME = 'org.freedesktop.portal.Desktop'
MAIN_OBJ = '/org/freedesktop/portal/desktop'
MAIN_IFACE = 'org.freedesktop.portal.Screenshot'
SYSTEM_BUS = False

SCREENSHOT_IFACE = 'org.freedesktop.portal.Screenshot'
SHORTCUTS_IFACE = 'org.freedesktop.portal.GlobalShortcuts'
REQUEST_IFACE = 'org.freedesktop.portal.Request'
SESSION_IFACE = 'org.freedesktop.portal.Session'

_state = {}


def load(mock, parameters):
    _state.clear()
    _state.update({
        'interfaces': parameters.get('interfaces', ['Screenshot', 'GlobalShortcuts']),
        'screenshot': parameters.get('screenshot', 'ok'),
        'png': parameters.get('png', ''),
        'out_dir': parameters.get('out_dir', '/tmp'),
        'shortcuts': parameters.get('shortcuts', 'ok'),
        'session': parameters.get('session', 'ok'),
        'delay_ms': int(parameters.get('delay_ms', 30)),
        'count': 0,
    })
    # Mock properties are per interface; an interface without properties is "missing" for
    # Properties.Get, as on a real portal without that backend.
    if 'Screenshot' in _state['interfaces']:
        mock.AddProperties(SCREENSHOT_IFACE, {'version': dbus.UInt32(2)})
    if 'GlobalShortcuts' in _state['interfaces']:
        mock.AddProperties(SHORTCUTS_IFACE, {'version': dbus.UInt32(1)})


def _sender_element(sender):
    return sender[1:].replace('.', '_')


def _request_object(mock, sender, token):
    path = f'{MAIN_OBJ}/request/{_sender_element(sender)}/{token}'
    if path not in mockobject.objects:
        mock.AddObject(path, REQUEST_IFACE, {}, [('Close', '', '', '')])
    _state.setdefault('requests', []).append(path)
    return path


def _respond_later(mock, sender, path, response, results):
    def emit():
        msg = dbus.lowlevel.SignalMessage(path, REQUEST_IFACE, 'Response')
        msg.append(dbus.UInt32(response), dbus.Dictionary(results, signature='sv'),
                   signature='ua{sv}')
        msg.set_destination(sender)
        mock.connection.send_message(msg)
        return False
    if _state['delay_ms'] < 0:
        emit()
    else:
        GLib.timeout_add(_state['delay_ms'], emit)


def _check(interface_name):
    if interface_name not in _state['interfaces']:
        raise dbus.exceptions.DBusException(
            f'No such interface “org.freedesktop.portal.{interface_name}”',
            name='org.freedesktop.DBus.Error.UnknownMethod')


@dbus.service.method(SCREENSHOT_IFACE, in_signature='sa{sv}', out_signature='o',
                     sender_keyword='sender')
def Screenshot(self, parent_window, options, sender=None):
    _check('Screenshot')
    token = str(options.get('handle_token', 't'))
    path = _request_object(self, sender, token)
    mode = _state['screenshot']
    if mode == 'silent':
        return dbus.ObjectPath(path)
    if mode == 'cancel':
        _respond_later(self, sender, path, 1, {})
    elif mode == 'refuse':
        _respond_later(self, sender, path, 2, {})
    elif mode == 'http':
        _respond_later(self, sender, path, 0, {'uri': dbus.String('http://example.org/s.png')})
    else:
        _state['count'] += 1
        out = os.path.join(_state['out_dir'], f'Screenshot-{_state["count"]}.png')
        shutil.copyfile(_state['png'], out)
        if mode == 'symlink':
            link = out + '.link.png'
            os.symlink(out, link)
            out = link
        _respond_later(self, sender, path, 0, {'uri': dbus.String('file://' + out)})
    return dbus.ObjectPath(path)


@dbus.service.method(SHORTCUTS_IFACE, in_signature='a{sv}', out_signature='o',
                     sender_keyword='sender')
def CreateSession(self, options, sender=None):
    _check('GlobalShortcuts')
    path = _request_object(self, sender, str(options['handle_token']))
    session = f'{MAIN_OBJ}/session/{_sender_element(sender)}/{options["session_handle_token"]}'
    if _state['session'] != 'ok':
        _respond_later(self, sender, path, 2, {})
        return dbus.ObjectPath(path)
    self.AddObject(session, SESSION_IFACE, {}, [('Close', '', '', '')])
    _state['session_path'] = session
    _respond_later(self, sender, path, 0, {'session_handle': dbus.String(session)})
    return dbus.ObjectPath(path)


@dbus.service.method(SHORTCUTS_IFACE, in_signature='oa(sa{sv})sa{sv}', out_signature='o',
                     sender_keyword='sender')
def BindShortcuts(self, session_handle, shortcuts, parent_window, options, sender=None):
    _check('GlobalShortcuts')
    path = _request_object(self, sender, str(options['handle_token']))
    mode = _state['shortcuts']
    if mode == 'cancel':
        _respond_later(self, sender, path, 1, {})
    elif mode == 'refuse':
        _respond_later(self, sender, path, 2, {})
    else:
        bound = []
        for shortcut_id, props in shortcuts:
            trigger = str(props.get('preferred_trigger', ''))
            bound.append(dbus.Struct((shortcut_id, dbus.Dictionary({
                'description': dbus.String(props.get('description', '')),
                'trigger_description': dbus.String(f'Press {trigger}' if trigger else ''),
            }, signature='sv')), signature='sa{sv}'))
        _respond_later(self, sender, path, 0,
                       {'shortcuts': dbus.Array(bound, signature='(sa{sv})')})
    return dbus.ObjectPath(path)


@dbus.service.method('org.liseur.Test', in_signature='', out_signature='as')
def RequestPaths(self):
    '''The Request object paths made so far, oldest first (for checking Request.Close).'''
    return dbus.Array(_state.get('requests', []), signature='s')
