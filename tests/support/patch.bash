# Shared by the bats suites: the JSONPatch of a kwctl-style AdmissionResponse line, decoded from base64.
decoded_patch() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(Buffer.from(JSON.parse(s).patch,"base64").toString()))' <<<"$1"
}
