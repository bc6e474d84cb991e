// English strings. zh-CN.ts must have exactly the same keys (a unit test checks it).
const en = {
  app: { name: "Signoff", tagline: "Approvals you can see" },
  nav: {
    inbox: "Inbox", newRequest: "New request", myRequests: "My requests",
    processes: "Processes", dashboard: "Efficiency", signOut: "Sign out", language: "Language",
  },
  common: {
    loading: "Loading…", retry: "Try again", cancel: "Cancel", close: "Close", save: "Save",
    submit: "Submit", comment: "Comment", commentPlaceholder: "Optional comment",
    none: "None", all: "All", back: "Back", version: "Version", yes: "Yes", no: "No",
    working: "Working…", open: "Open", noData: "No data yet.",
  },
  errors: {
    title: "Something went wrong",
    network: "The server cannot be reached. Check your connection and try again.",
    notSignedIn: "Your session has ended. Please sign in again.",
    notPermitted: "You are not allowed to do this.",
    notFound: "This was not found. It may have been removed.",
    conflict: "This changed in the meantime. Reload to see its current state.",
    invalid: "Some input is not valid.",
    server: "The server had a problem. Try again in a moment.",
    fieldErrors: "Please correct the highlighted fields.",
    pageNotFound: "There is no page here.",
  },
  login: {
    title: "Sign in", username: "Username", password: "Password", submit: "Sign in",
    demoUsers: "Demo users", demoHint: "Demo mode: click a user to sign in as them.",
    failed: "Wrong username or password.",
  },
  status: {
    running: "In progress", returned: "Returned", approved: "Approved", rejected: "Rejected",
    withdrawn: "Withdrawn", cancelled: "Cancelled", pending: "Pending", waiting: "Waiting",
    done: "Done", overdue: "Overdue", dueSoon: "Due soon",
  },
  actions: {
    approve: "Approve", reject: "Reject", return: "Return", delegate: "Delegate",
    addSigner: "Add signer", withdraw: "Withdraw", resubmit: "Resubmit",
    returnTo: "Return to", initiator: "the requester", delegateTo: "Delegate to",
    signer: "Signer", position: "Position", before: "Before me", after: "After me",
    pickUser: "Choose a person", done: "Done: {{action}}",
  },
  inbox: {
    title: "Inbox", empty: "Nothing waiting for you. Well done.",
    process: "Process", step: "Step", allProcesses: "All processes", allSteps: "All steps",
    selectAll: "Select all", selected: "{{count}} selected",
    bulkApprove: "Approve selected ({{count}})",
    bulkResult: "{{ok}} approved, {{failed}} failed",
    from: "from {{name}}", waitingFor: "waiting {{duration}}", due: "due {{when}}",
    total: "{{count}} pending",
  },
  task: {
    title: "Task", form: "Request", timeline: "Timeline", diagram: "Process",
    decide: "Your decision", notYours: "This task is no longer waiting for you.",
    currentStep: "Current step", holders: "Held by", since: "Since",
  },
  timeline: {
    took: "took {{duration}}", started: "Submitted", entered: "Arrived at",
    comment: "Comment", finished: "Finished", step: "Step",
    visits: "Steps", enteredAt: "Arrived", leftAt: "Left", outcome: "Outcome",
    decidedBy: "Decided by", duration: "Duration", stillOpen: "still open",
  },
  newRequest: {
    title: "New request", pick: "Choose a process", start: "Start",
    submitted: "Request submitted", fill: "Fill in the request",
  },
  requests: {
    title: "My requests", mine: "Started by me", cc: "Copied to me",
    empty: "No requests here yet.", where: "Where", heldBy: "Held by", since: "Since",
    status: "Status", started: "Started", process: "Process", request: "Request",
    withdrawConfirm: "Withdraw this request? The approvers stop seeing it.",
    resubmitHint: "This request was returned to you. Correct it and resubmit.",
    finishedAt: "Finished", initiator: "Requester",
  },
  processes: {
    title: "Processes", versions: "Versions", nodes: "Steps", yaml: "YAML",
    diagram: "Diagram", approvers: "Approvers", mode: "Mode", sla: "SLA", kind: "Kind",
    next: "Next", upload: "Upload a new version", uploadHint:
      "Paste the YAML or choose a file. Validate first; publishing creates a new version.",
    validate: "Validate", publish: "Publish new version", valid: "The definition is valid.",
    published: "Version {{version}} published.", line: "Line {{line}}",
    chooseFile: "Choose a YAML file", ownersOnly: "Only process owners can upload versions.",
    errorCount: "{{count}} problems",
  },
  dashboard: {
    title: "Approval efficiency", pick: "Process", instances: "{{count}} requests",
    durations: "Time per step", median: "Median", p90: "90th percentile",
    candidates: "Rubber-stamp candidates", noCandidates: "No step looks like a rubber stamp.",
    evidence: "Evidence", confidence: "Confidence", saving: "Saving", remedy: "Remedy",
    hoursPerYear: "{{hours}} approver hours a year", cycleSaved: "{{duration}} less cycle time",
    bottlenecks: "Bottlenecks", noBottlenecks: "No bottleneck found.",
    share: "Share of waiting time", trend: "Trend by month", month: "Month",
    whatIf: "What if we remove a step?", remove: "Remove", run: "Compute",
    baseline: "Today", scenario: "Without it", cycleTimeSaved: "Cycle time saved",
    lostRejections: "Rejections that only this step made", lostNone: "None: nobody else would have missed a thing.",
    steps: "Steps", visits: "Visits", approveRate: "Approved", rejectRate: "Rejected",
    returnRate: "Returned", commentRate: "Commented", step: "Step",
    kind_rubber_stamp: "Rubber stamp", kind_low_value_gate: "Low-value gate",
    remedy_remove: "Remove the step", remedy_notify: "Turn it into a notification (keep the record)",
    remedy_skip: "Skip it under a condition", cycleTime: "Cycle time", requests: "Requests",
  },
};

export default en;

/** The shape both languages share: every leaf a string. */
export type Messages = { [K in keyof typeof en]: { [L in keyof (typeof en)[K]]: string } };
