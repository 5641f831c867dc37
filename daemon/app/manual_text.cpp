// The hand-written parts of the manual pages, in roff (man(7)): what the command table and the
// schema cannot say. Keep them short and ASCII (write \[u00E9] for a non-ASCII character); the
// generated parts (NAME, SYNOPSIS, OPTIONS, COMMANDS, KEYS) come from manual.cpp. After a change,
// regenerate the committed pages with packaging/regenerate-docs.sh.
#include "app/manual.h"

namespace liseur::app {

std::string_view manualDate() {
  return "2026-12-05";
}

ManText liseurManText() {
  ManText t;
  t.description = R"roff(.SH DESCRIPTION
.B liseur
reads what is on the screen, or in an image, aloud. It sends each command to
.BR liseurd (8),
the per-user reader daemon, over a Unix socket, and starts the daemon when it is not running
(unless
.B \-\-no\-spawn
is given or systemd's
.B liseurd.socket
starts it). The daemon recognises the text (Tesseract), passes it through the active profile's
plugins and speaks it (espeak-ng, or the user's speech-dispatcher).
.PP
The commands
.BR config ,
.BR profile ,
.BR plugins ,
.B syllables
and
.B adapt
work without the daemon. File names are made absolute before they are sent: the daemon's
working directory is
.IR / .
.PP
On Wayland no program may grab global keys: the desktop owns them.
.B hotkeys install
writes the
.B [hotkeys]
of the configuration as the desktop's own keyboard shortcuts, each running a
.B liseur
command (GNOME through gsettings, sway through
.IR ~/.config/sway/liseur\-hotkeys.conf ,
Xfce through xfconf-query);
.B hotkeys uninstall
removes exactly those. Install again after changing the hotkeys. The marking of a rectangle has
no command and stays with the daemon's own keys (X11).
.PP
With no sound device, speech is never written anywhere unasked:
.B read
and
.B say
fail with
.B audio\-device\-missing
unless
.B \-\-to\-wav
names a file.
)roff";
  t.trailer = R"roff(.SH ENVIRONMENT
.TP
.B XDG_RUNTIME_DIR
The daemon's socket is
.IR $XDG_RUNTIME_DIR/liseur/socket ;
.I /tmp/liseur\-UID
when it is not set.
.TP
.B XDG_CONFIG_HOME
The user's configuration and profiles are in
.IR $XDG_CONFIG_HOME/liseur ,
by default
.IR ~/.config/liseur .
.TP
.BR XDG_CURRENT_DESKTOP ", " SWAYSOCK
The desktop whose shortcuts
.B hotkeys
writes when
.B \-\-desktop
is not given.
.TP
.B LISEUR_DATA_DIR
Where the shipped profiles and voices are, instead of
.IR /usr/share/liseur .
.TP
.B LISEUR_DAEMON
The daemon program to start when none is running.
.TP
.B LISEUR_LOG
The log level of liseur and its workers: trace, debug, info, warn, error or off.
.SH FILES
.TP
.I ~/.config/liseur/liseur.toml
The user's configuration; see
.BR liseur.toml (5).
.TP
.I ~/.config/liseur/profiles/
The user's profiles
.RI ( NAME .toml).
.TP
.I /etc/liseur/liseur.toml
The system configuration; it may lock keys.
.TP
.I /usr/share/liseur/
Shipped profiles and voice presets.
.SH EXIT STATUS
.TP
.B 0
Success.
.TP
.B 1
An error. One line on standard error names it:
.RI "liseur: " code ": " message ,
where
.I code
is the stable kebab-case name of the error (for example
.BR not\-running ,
.BR config\-invalid ,
.BR ocr\-language\-missing ).
.TP
.B 2
A usage error: an unknown command or option, or a missing argument.
.SH EXAMPLES
.EX
liseur read window
liseur read \-\-wait page.png
liseur ocr screenshot.png > text.txt
liseur profile set dys\-primaire speech.rate 150
liseur adapt fiche.jpg \-\-profile dys\-primaire \-o fiche.html
.EE
.SH SEE ALSO
.BR liseurd (8),
.BR liseur.toml (5),
.BR espeak\-ng (1),
.BR tesseract (1)
)roff";
  return t;
}

ManText liseurdManText() {
  ManText t;
  t.description = R"roff(.SH DESCRIPTION
.B liseurd
is liseur's per-user reader daemon. It listens on
.IR $XDG_RUNTIME_DIR/liseur/socket
for the commands of
.BR liseur (1)
(JSON lines; the socket is the user's alone), grabs the global hotkeys of the configuration
(X11; on Wayland through the desktop's GlobalShortcuts portal), and reads the screen or an image
aloud: it captures the screen (X11; on Wayland the compositor's wlroots screencopy or the
Screenshot portal, see
.B capture.backend
in
.BR liseur.toml (5)),
recognises the text, runs the profile's plugins and speaks.
.PP
A daemon started without a working display (before the desktop exported one) uses the display
of the first
.B liseur
command that sends one.
.PP
It is usually started for the user, by systemd's socket activation
.RB ( liseurd.socket )
or by the first
.B liseur
command. Unless
.B \-\-foreground
is given it detaches from the terminal.
.PP
The daemon never decodes an image, calls espeak-ng or runs plugin code itself: that runs in
sandboxed worker processes it starts, limits and restarts
.RI ( /usr/libexec/liseur/ ).
A crash of a worker fails only the job it was doing.
.PP
The configuration is read at start;
.B SIGHUP
or
.B liseur reload
reads it again. A configuration with errors is not applied: the last good one stays in use and
the errors are logged.
.B SIGTERM
and
.B SIGINT
stop the daemon.
)roff";
  t.trailer = R"roff(.SH ENVIRONMENT
.TP
.B XDG_RUNTIME_DIR
The directory of the socket and the lock file
.RI ( $XDG_RUNTIME_DIR/liseur/ ).
.TP
.BR LISTEN_PID ", " LISTEN_FDS
Set by systemd's socket activation: the listening socket is file descriptor 3.
.TP
.B LISEUR_AUDIO
The audio output when
.B \-\-audio
is not given.
.TP
.B LISEUR_LOG
The log level: trace, debug, info, warn, error or off.
.TP
.B DISPLAY
The X11 display whose screen is read and whose hotkeys are grabbed.
.TP
.BR WAYLAND_DISPLAY ", " SWAYSOCK ", " XDG_CURRENT_DESKTOP
A Wayland session: its compositor (screencopy), sway's IPC (the focused window) and the desktop
named in messages. On a Wayland session Xwayland's
.B DISPLAY
is not used for capture.
.TP
.B DBUS_SESSION_BUS_ADDRESS
The session bus of xdg-desktop-portal (the Screenshot and GlobalShortcuts portals).
.SH FILES
.TP
.I $XDG_RUNTIME_DIR/liseur/socket
The daemon's socket.
.TP
.IR /etc/liseur/liseur.toml ", " ~/.config/liseur/liseur.toml
The configuration; see
.BR liseur.toml (5).
.TP
.I /usr/lib/systemd/user/liseurd.socket
The systemd user units that start the daemon on demand, sandboxed.
.SH EXIT STATUS
.B 0
when stopped by a signal or by
.BR "liseur shutdown" ,
or when another daemon of the same user is already listening;
.B 1
when it cannot start (the socket cannot be made, a bad inherited socket); another non-zero
status, with a message on standard error, for a usage error (an unknown option, a bad value).
.SH SEE ALSO
.BR liseur (1),
.BR liseur.toml (5),
.BR systemd.socket (5)
)roff";
  return t;
}

ManText configManText() {
  ManText t;
  t.description = R"roff(.SH DESCRIPTION
liseur's configuration is TOML, read in layers, each one overriding the ones before it:
.IP 1. 4
the built-in defaults (below);
.IP 2. 4
.IR /etc/liseur/liseur.toml ,
the system's;
.IP 3. 4
.IR $XDG_CONFIG_HOME/liseur/liseur.toml ,
the user's
.RI ( ~/.config/liseur/liseur.toml );
.IP 4. 4
the active profile
.RB ( daemon.profile ),
.IR NAME .toml
in the user's, the system's or the shipped
.I profiles
directory, the first found;
.IP 5. 4
changes made while the daemon runs
.RB ( "liseur set" ).
.PP
A key is written in its section:
.B speech.rate
is
.B rate
in
.BR [speech] .
Unknown keys, values of the wrong type or out of range are errors naming the file, the line, the
key and what was expected;
.B liseur profile check
.I FILE
prints them all. A configuration with errors is not applied: the last good one stays in use.
Profiles are written by
.B liseur profile
atomically.
.SS Locks
.I /etc/liseur/liseur.toml
(and a profile in
.IR /etc/liseur/profiles/ )
may lock keys, so that a user cannot change them:
.PP
.EX
[locks]
keys = ["speech.rate", "hotkeys.stop"]
.EE
.PP
A change of a locked key is refused with the name of the file that locks it.
)roff";
  t.trailer = R"roff(.SH FILES
.TP
.I /etc/liseur/liseur.toml
The system's configuration and locks.
.TP
.I ~/.config/liseur/liseur.toml
The user's configuration.
.TP
.IR ~/.config/liseur/profiles/ ", " /etc/liseur/profiles/ ", " /usr/share/liseur/config/profiles/
Profiles: user, system and shipped, looked up in that order.
.TP
.I /usr/share/liseur/config/liseur.toml
Every key with its default, commented: a starting point to copy.
.SH EXAMPLES
.EX
[daemon]
profile = "dys\-primaire"

[speech]
voice_fr = "fr\-enfant"
rate = 150

[hotkeys]
spell = ""    # no hotkey

[plugins.options.dys]
syllables = true
.EE
.SH SEE ALSO
.BR liseur (1),
.BR liseurd (8)
)roff";
  return t;
}

}  // namespace liseur::app
