// The values of --source, apart from the loader (src/cli/load.ts) so that command definitions load nothing heavy.

export const sourceNames: readonly string[] = ['docker', 'podman', 'registry', 'docker-archive', 'oci-archive', 'oci'];
