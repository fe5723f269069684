//! The heartbeat: a REP socket that echoes every ping, on its own thread.

/// Echoes pings until the context is terminated.
pub fn start(socket: zmq::Socket) {
    std::thread::Builder::new()
        .name("heartbeat".into())
        .spawn(move || loop {
            match socket.recv_multipart(0) {
                Ok(frames) => {
                    if socket.send_multipart(frames, 0).is_err() {
                        return;
                    }
                }
                Err(zmq::Error::ETERM) => return,
                Err(_) => continue,
            }
        })
        .expect("spawning the heartbeat thread");
}
