/*
 * tempfiles.h — the temporary files this process is writing (a .mote or
 * .npy under a temporary name before its rename), so that a program
 * interrupted by a signal can remove them. The library never installs a
 * signal handler; the command-line tool does, and calls
 * mote_temp_unlink_all from it.
 */
#ifndef MOTE_TEMPFILES_H
#define MOTE_TEMPFILES_H

/* Creates a new file beside path, named "path.tmp.PID.N" (O_EXCL, mode
 * 0666 less the umask), recorded before it exists so a signal at any
 * moment finds it. Returns the fd, with *tmp (malloc'd) and *slot; or -1
 * with errno set. */
int mote_temp_create(const char *path, char **tmp, int *slot);
/* Records path as being written; returns a slot for mote_temp_forget, or
 * -1 when every slot is taken (the file is then simply not recorded). */
int mote_temp_remember(const char *path);
/* The file of slot was renamed or removed (slot -1 is ignored). */
void mote_temp_forget(int slot);
/* Removes every recorded file. Async-signal-safe: only unlink(). */
void mote_temp_unlink_all(void);

#endif
