// Plain, JSON-serialisable data of the CI gate: its configuration and its verdict.

/** dive's three rules and layerscope's own. */
export type RuleKey = 'lowestEfficiency' | 'highestWastedBytes' | 'highestUserWastedPercent' | 'highestReclaimableBytes';

/** Where a rule's value came from. */
export type RuleSource = 'default' | 'file' | 'flag';

/** One rule as configured. */
export type RuleSetting = {
	readonly key: RuleKey;
	/** The value as written ("0.95", "20Mb"), shown by dive when the rule passes; "disabled" when off. */
	readonly configValue: string;
	/** The parsed threshold (a ratio or bytes); undefined when the rule is off. */
	readonly threshold: number | undefined;
	readonly source: RuleSource;
	/** Where the value was read, for messages ("--lowest-efficiency", ".dive-ci"). */
	readonly origin: string;
};

export type CiFormat = 'text' | 'junit';

export type CiConfig = {
	/** The rules file read (as given or found), or undefined when the defaults apply. */
	readonly file: string | undefined;
	/** Which kind of file: dive's `.dive-ci` layout or layerscope's own; "defaults" when none was read. */
	readonly fileKind: 'layerscope' | 'dive' | 'defaults';
	/** Every rule, in dive's order: lowestEfficiency, highestWastedBytes, highestUserWastedPercent, highestReclaimableBytes. */
	readonly rules: readonly RuleSetting[];
	/** Globs excluded from wasted-space accounting. */
	readonly ignorePaths: readonly string[];
	readonly format: CiFormat;
	/** Where the JUnit XML goes ("-" = stdout instead of the text report); set when the format is junit. */
	readonly junitFile: string | undefined;
	/** Harmless problems worth a line on stderr (unknown keys). */
	readonly warnings: readonly string[];
};

export type RuleStatus = 'pass' | 'fail' | 'skip';

export type RuleResult = {
	readonly key: RuleKey;
	readonly status: RuleStatus;
	/** dive's text in parentheses: the configured value on a pass, the reason on a failure, "disabled" on a skip. */
	readonly message: string;
	readonly configValue: string;
	readonly threshold: number | undefined;
	/** The measured figure the rule compared (efficiency, bytes, ratio); NaN for a 0/0 ratio. */
	readonly actual: number;
};

export type CiEvaluation = {
	readonly pass: boolean;
	/** Results sorted by rule name, as dive prints them. Layerscope's own rules appear only when switched on. */
	readonly results: readonly RuleResult[];
	readonly tally: {readonly pass: number; readonly fail: number; readonly skip: number};
	/** dive's "[rules: N]" count: every rule evaluated, skipped ones included. */
	readonly ruleCount: number;
	readonly ignorePaths: readonly string[];
	readonly configFile: string | undefined;
};

/** A rule result of any gate (the image gate's RuleKey, compare's CompareRuleKey): what JUnit, JSON and the summary line need. */
export type GateResult = Omit<RuleResult, 'key'> & {readonly key: string};

/** A verdict of any gate. */
export type GateEvaluation = Omit<CiEvaluation, 'results'> & {readonly results: readonly GateResult[]};
