/** @simfleet/cluster: simfleet scaled out on NATS JetStream. */
export {};
