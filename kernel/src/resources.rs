//! What the machine and this user's cgroup grant a kernel: CPUs and memory.
//!
//! On a JupyterHub node each user's server runs in a cgroup with a memory limit (Zero to
//! JupyterHub guarantees 1 GiB by default, mybinder gives 1-2 GiB) and often a CPU quota. A
//! kernel sized by the host's numbers keeps two standby kernels of ~1.2 GiB each that the
//! limit cannot hold (the cgroup's OOM killer then takes the user's own kernel) and starts one
//! libtorch thread per host core on a quota of two. So the kernel reads cgroup v2's
//! `memory.max`, `memory.current` and `cpu.max` (v1's `memory.limit_in_bytes`,
//! `memory.usage_in_bytes` and `cpu.cfs_quota_us` / `cpu.cfs_period_us`) and `/proc/meminfo`'s
//! `MemAvailable`, keeps only the standbys that fit ([`standby_plan`]), and sets libtorch's
//! thread count to the quota ([`threads_for`]).

use std::path::{Path, PathBuf};

/// Memory one standby kernel holds (kernel process with rust-analyzer's analysis, execution
/// process with libtorch), measured with `bench/peers.py` on this course's prelude.
pub const STANDBY_BYTES: u64 = 1300 << 20;
/// Memory left free for the notebook the user is working in (its tensors, a build).
pub const RESERVE_BYTES: u64 = 768 << 20;
/// What one kernel running the course needs: the kernel itself holds about 1.15 GiB
/// (bench/RESULTS.md §7), and the course runs in a 2 GiB, 1-CPU box (mybinder.org's size; the
/// README's hub section). In 1 GiB the OOM killer takes the execution process in `02_losses`.
pub const KERNEL_NEEDS_BYTES: u64 = 2048 << 20;

/// The CPUs and memory this process may use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resources {
    /// CPUs of the cgroup's quota (`cpu.max` quota / period), if there is one.
    pub cpu_quota: Option<f64>,
    /// The cgroup's memory limit in bytes, if there is one.
    pub memory_limit: Option<u64>,
    /// What the cgroup uses now, in bytes.
    pub memory_used: Option<u64>,
    /// `MemAvailable` of `/proc/meminfo`, in bytes.
    pub mem_available: Option<u64>,
}

/// `cpu.max` (`"200000 100000"`, or `"max 100000"` for no quota) as CPUs.
///
/// ```
/// use torchbook_kernel::resources::parse_cpu_max;
/// assert_eq!(parse_cpu_max("200000 100000\n"), Some(2.0));
/// assert_eq!(parse_cpu_max("50000 100000"), Some(0.5));
/// assert_eq!(parse_cpu_max("max 100000"), None);
/// ```
pub fn parse_cpu_max(text: &str) -> Option<f64> {
    let mut words = text.split_whitespace();
    let quota: f64 = words.next()?.parse().ok()?;
    let period: f64 = words.next().and_then(|p| p.parse().ok()).unwrap_or(100_000.0);
    (quota > 0.0 && period > 0.0).then(|| quota / period)
}

/// A cgroup memory file (`memory.max`, `memory.current`, v1's limit) in bytes; `max` (or v1's
/// "unlimited" of about 2^63) is no limit.
///
/// ```
/// use torchbook_kernel::resources::parse_bytes;
/// assert_eq!(parse_bytes("1073741824\n"), Some(1 << 30));
/// assert_eq!(parse_bytes("max"), None);
/// assert_eq!(parse_bytes("9223372036854771712"), None);
/// ```
pub fn parse_bytes(text: &str) -> Option<u64> {
    let n: u64 = text.trim().parse().ok()?;
    (n < 1 << 62).then_some(n)
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
///
/// ```
/// use torchbook_kernel::resources::parse_mem_available;
/// assert_eq!(parse_mem_available("MemTotal: 100 kB\nMemAvailable:  2048 kB\n"), Some(2 << 20));
/// ```
pub fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The cgroup directory of this process under `root` (`/sys/fs/cgroup`), from
/// `/proc/self/cgroup` (`0::/user.slice/...` on cgroup v2).
fn cgroup_dir(root: &Path, proc_cgroup: &str) -> PathBuf {
    let v2 = proc_cgroup.lines().find_map(|l| l.strip_prefix("0::"));
    match v2 {
        Some(path) => root.join(path.trim().trim_start_matches('/')),
        None => root.to_path_buf(),
    }
}

impl Resources {
    /// Reads this process's limits from `/sys/fs/cgroup` and `/proc`.
    ///
    /// ```
    /// let r = torchbook_kernel::resources::Resources::read();
    /// assert!(r.mem_available.unwrap_or(1) > 0);
    /// ```
    pub fn read() -> Resources {
        let proc_cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Resources::read_from(Path::new("/sys/fs/cgroup"), &proc_cgroup, &meminfo)
    }

    /// Reads the limits of a cgroup tree mounted at `root`.
    pub fn read_from(root: &Path, proc_cgroup: &str, meminfo: &str) -> Resources {
        let read = |p: PathBuf| std::fs::read_to_string(p).ok();
        let dir = cgroup_dir(root, proc_cgroup);
        // The nearest limit on the way up counts (a hub sets it on the user's scope or pod).
        let mut memory_limit = None;
        let mut cpu_quota = None;
        let mut memory_used = read(dir.join("memory.current")).as_deref().and_then(parse_bytes);
        let mut at = Some(dir.as_path());
        while let Some(d) = at.filter(|d| d.starts_with(root)) {
            if memory_limit.is_none() {
                memory_limit = read(d.join("memory.max")).as_deref().and_then(parse_bytes);
                if memory_limit.is_some() && memory_used.is_none() {
                    memory_used = read(d.join("memory.current")).as_deref().and_then(parse_bytes);
                }
            }
            if cpu_quota.is_none() {
                cpu_quota = read(d.join("cpu.max")).as_deref().and_then(parse_cpu_max);
            }
            at = d.parent();
        }
        let v1 = |controller: &str| v1_dir(root, proc_cgroup, controller);
        if memory_limit.is_none() {
            if let Some(dir) = v1("memory") {
                memory_limit = read(dir.join("memory.limit_in_bytes")).as_deref().and_then(parse_bytes);
                memory_used = read(dir.join("memory.usage_in_bytes")).as_deref().and_then(parse_bytes);
            }
        }
        if cpu_quota.is_none() {
            if let Some(dir) = v1("cpu") {
                let number = |f: &str| read(dir.join(f)).and_then(|q| q.trim().parse::<f64>().ok());
                if let (Some(q), Some(p)) = (number("cpu.cfs_quota_us"), number("cpu.cfs_period_us")) {
                    cpu_quota = (q > 0.0 && p > 0.0).then(|| q / p);
                }
            }
        }
        Resources { cpu_quota, memory_limit, memory_used, mem_available: parse_mem_available(meminfo) }
    }

    /// Bytes this process could still take: the least of what the machine has available and
    /// what the cgroup's limit leaves.
    pub fn free_bytes(&self) -> Option<u64> {
        let cgroup = self.memory_limit.map(|l| l.saturating_sub(self.memory_used.unwrap_or(0)));
        match (cgroup, self.mem_available) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

fn mib(bytes: u64) -> u64 {
    bytes >> 20
}

/// What a kernel says at start when its cgroup's memory limit is below what a kernel needs
/// ([`KERNEL_NEEDS_BYTES`]), with the figures and what to ask for; `None` when it fits.
///
/// ```
/// use torchbook_kernel::resources::{too_small_notice, Resources};
/// let student = Resources { memory_limit: Some(1 << 30), ..Default::default() };
/// let notice = too_small_notice(&student).unwrap();
/// assert!(notice.contains("1024 MiB") && notice.contains("2048 MiB"), "{notice}");
/// assert_eq!(too_small_notice(&Resources { memory_limit: Some(4 << 30), ..Default::default() }), None);
/// assert_eq!(too_small_notice(&Resources::default()), None);
/// ```
pub fn too_small_notice(resources: &Resources) -> Option<String> {
    let limit = resources.memory_limit.filter(|&l| l < KERNEL_NEEDS_BYTES)?;
    Some(format!(
        "torchbook: this kernel runs under a memory limit of {} MiB (its cgroup), but a Torchbook kernel \
         needs about {} MiB: about 1200 MiB for the kernel and libtorch, the rest for a notebook's \
         tensors and builds. Cells that train may be stopped by the out-of-memory killer. Ask the \
         hub's administrator for at least {} MiB per user (Zero to JupyterHub: singleuser.memory.limit: 2G).",
        mib(limit),
        mib(KERNEL_NEEDS_BYTES),
        mib(KERNEL_NEEDS_BYTES)
    ))
}

/// The `oom_kill` count of cgroup v2's `memory.events` or v1's `memory.oom_control`.
///
/// ```
/// use torchbook_kernel::resources::parse_oom_kill;
/// assert_eq!(parse_oom_kill("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"), Some(1));
/// assert_eq!(parse_oom_kill("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n"), Some(4));
/// assert_eq!(parse_oom_kill("oom_kill_disable 0\n"), None);
/// ```
pub fn parse_oom_kill(text: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix("oom_kill ")).and_then(|n| n.trim().parse().ok())
}

/// cgroup v1's directory of `controller` for this process: one hierarchy per controller,
/// `4:memory:/path` in `/proc/self/cgroup`.
fn v1_dir(root: &Path, proc_cgroup: &str, controller: &str) -> Option<PathBuf> {
    proc_cgroup.lines().find_map(|l| {
        let mut parts = l.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        controllers
            .split(',')
            .any(|c| c == controller)
            .then(|| root.join(controllers).join(path.trim().trim_start_matches('/')))
    })
}

/// How many processes the OOM killer has taken in this process's memory cgroup (`None`
/// without a cgroup that counts them). A cell's execution process that died while the count
/// went up was taken for memory.
pub fn oom_kills() -> Option<u64> {
    let proc_cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let root = Path::new("/sys/fs/cgroup");
    let v2 = cgroup_dir(root, &proc_cgroup).join("memory.events");
    if let Some(n) = std::fs::read_to_string(v2).ok().as_deref().and_then(parse_oom_kill) {
        return Some(n);
    }
    let v1 = v1_dir(root, &proc_cgroup, "memory")?.join("memory.oom_control");
    std::fs::read_to_string(v1).ok().as_deref().and_then(parse_oom_kill)
}

/// How many of `requested` standbys to keep, and a sentence saying why.
///
/// ```
/// use torchbook_kernel::resources::{standby_plan, Resources};
/// // A hub user with a 1 GiB limit (Zero to JupyterHub's default guarantee), using 600 MiB.
/// let hub = Resources { memory_limit: Some(1 << 30), memory_used: Some(600 << 20),
///     mem_available: Some(20 << 30), ..Default::default() };
/// let (n, why) = standby_plan(2, &hub);
/// assert_eq!(n, 0);
/// assert!(why.contains("424 MiB"), "{why}");
/// let laptop = Resources { mem_available: Some(16 << 30), ..Default::default() };
/// assert_eq!(standby_plan(2, &laptop).0, 2);
/// ```
pub fn standby_plan(requested: usize, resources: &Resources) -> (usize, String) {
    standby_plan_after(requested, resources, 0)
}

/// [`standby_plan`] for a kernel that has not loaded its own session yet: `own` bytes of what
/// is free now are its own.
///
/// ```
/// use torchbook_kernel::resources::{standby_plan_after, Resources, STANDBY_BYTES};
/// let hub = Resources { memory_limit: Some(2560 << 20), memory_used: Some(47 << 20), ..Default::default() };
/// assert_eq!(standby_plan_after(2, &hub, 0).0, 1);
/// assert_eq!(standby_plan_after(2, &hub, STANDBY_BYTES).0, 0);
/// ```
pub fn standby_plan_after(requested: usize, resources: &Resources, own: u64) -> (usize, String) {
    if requested == 0 {
        return (0, "no standby kernels: TORCHBOOK_STANDBY=0".to_owned());
    }
    let Some(free) = resources.free_bytes() else {
        return (requested, format!("{requested} standby kernels (memory limits unknown)"));
    };
    let free = free.saturating_sub(own);
    let room = free.saturating_sub(RESERVE_BYTES);
    let fit = (room / STANDBY_BYTES) as usize;
    let n = fit.min(requested);
    let source = match resources.memory_limit {
        Some(limit) if Some(free) != resources.mem_available => {
            format!("of the cgroup's {} MiB limit", mib(limit))
        }
        _ => "available on the machine".to_owned(),
    };
    let why = format!(
        "{n} of {requested} standby kernels: {} MiB free {source}, each standby needs about {} MiB and {} MiB stay free for the notebook",
        mib(free),
        mib(STANDBY_BYTES),
        mib(RESERVE_BYTES)
    );
    (n, why)
}

/// The intra-op thread count for libtorch: the cgroup's CPU quota rounded up (at least 1),
/// when it is below the host's `host_cpus`; `None` when the host's count is right.
///
/// ```
/// use torchbook_kernel::resources::{threads_for, Resources};
/// let quota = Resources { cpu_quota: Some(1.5), ..Default::default() };
/// assert_eq!(threads_for(&quota, 16), Some(2));
/// assert_eq!(threads_for(&Resources::default(), 16), None);
/// assert_eq!(threads_for(&Resources { cpu_quota: Some(32.0), ..Default::default() }, 16), None);
/// ```
pub fn threads_for(resources: &Resources, host_cpus: usize) -> Option<usize> {
    let quota = resources.cpu_quota?;
    let threads = (quota.ceil() as usize).max(1);
    (threads < host_cpus).then_some(threads)
}

/// The CPUs this process may run on: what OpenMP (libtorch's threads) counts by default.
/// `std::thread::available_parallelism` is no use here: it already applies the quota.
fn cpus_in_affinity_mask() -> usize {
    // SAFETY: a zeroed cpu_set_t filled by sched_getaffinity for this process.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            (libc::CPU_COUNT(&set) as usize).max(1)
        } else {
            (libc::sysconf(libc::_SC_NPROCESSORS_ONLN) as usize).max(1)
        }
    }
}

/// Applied once at start, before any thread exists: `OMP_NUM_THREADS` from the CPU quota
/// (unless the user set it), and the quota for `doctor()`.
///
/// # Safety
/// Sets environment variables: call before any other thread exists.
pub unsafe fn apply_cpu_quota(resources: &Resources) {
    let host = cpus_in_affinity_mask();
    if let Some(q) = resources.cpu_quota {
        std::env::set_var(torchbook_contract::env::CPU_QUOTA, format!("{q}"));
    }
    if std::env::var_os("OMP_NUM_THREADS").is_none() {
        if let Some(threads) = threads_for(resources, host) {
            std::env::set_var("OMP_NUM_THREADS", threads.to_string());
            std::env::set_var(torchbook_contract::env::OMP_FROM_QUOTA, "1");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of cgroup files, removed when the test ends.
    struct Tree(PathBuf);
    impl Tree {
        fn new(name: &str) -> Tree {
            Tree(std::env::temp_dir().join(format!("torchbook-{name}-{}", std::process::id())))
        }
        fn put(&self, file: &str, text: &str) -> &Tree {
            let path = self.0.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
            self
        }
    }
    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn the_nearest_limit_up_the_cgroup_tree_counts() {
        let root = Tree::new("cgroup-v2-test");
        root.put("kubepods/pod1/memory.max", "2147483648\n")
            .put("kubepods/pod1/memory.current", "1073741824\n")
            .put("kubepods/pod1/user/memory.max", "max\n")
            .put("kubepods/cpu.max", "150000 100000\n");
        let r = Resources::read_from(&root.0, "0::/kubepods/pod1/user\n", "MemAvailable: 8388608 kB\n");
        assert_eq!(r.memory_limit, Some(2 << 30));
        assert_eq!(r.memory_used, Some(1 << 30));
        assert_eq!(r.cpu_quota, Some(1.5));
        assert_eq!(r.free_bytes(), Some(1 << 30));
        // 1024 MiB free - 768 reserved: no room for a 1300 MiB standby.
        assert_eq!(standby_plan(2, &r).0, 0);
    }

    #[test]
    fn cgroup_v1_hierarchies_are_read_per_controller() {
        let root = Tree::new("cgroup-v1-test");
        root.put("memory/process_api/x/memory.limit_in_bytes", "1610612736\n")
            .put("memory/process_api/x/memory.usage_in_bytes", "536870912\n")
            .put("cpu,cpuacct/user/cpu.cfs_quota_us", "200000\n")
            .put("cpu,cpuacct/user/cpu.cfs_period_us", "100000\n");
        let proc = "4:memory:/process_api/x\n2:cpu,cpuacct:/user\n0::/\n";
        let r = Resources::read_from(&root.0, proc, "MemAvailable: 20971520 kB\n");
        assert_eq!(
            (r.memory_limit, r.memory_used, r.cpu_quota),
            (Some(1536 << 20), Some(512 << 20), Some(2.0))
        );
        assert_eq!(threads_for(&r, 16), Some(2));
    }
}
