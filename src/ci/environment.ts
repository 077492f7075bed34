// CI mode from the environment, apart from the rest of the gate so that checking it loads nothing else.

/** CI mode from the environment, as dive reads it: CI=true, 1 or yes (any case). */
export function isCiEnvironment(env: NodeJS.ProcessEnv): boolean {
	const value = env['CI']?.toLowerCase();
	return value === 'true' || value === '1' || value === 'yes';
}
