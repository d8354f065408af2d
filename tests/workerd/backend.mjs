// Stands in for the network: nothing a test worker sends leaves the machine.
export default {
  async fetch() {
    return new Response('no network in tests', { status: 599 });
  },
};
