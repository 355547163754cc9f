/** The shape of `openclaw doctor --json` as the tests read it (one copy for every doctor test). */
export interface DoctorEntry {
  id: string
  subject: string | null
  status: "ok" | "warn" | "fail"
  summary: string
  remediation: string | null
  fixed?: boolean
  fixDetail?: string
}

export interface DoctorReport {
  schemaVersion: number
  agentId: string
  checks: Array<DoctorEntry>
  counts: { ok: number; warn: number; fail: number }
}
