//! IP networks, for `FSA_TRUSTED_PROXIES`: `10.0.0.0/8`, `::1`,
//! `192.0.2.7`.

use std::{fmt, net::IpAddr, str::FromStr};

/// An IP network: an address and the number of leading bits that must
/// match; a plain address is a network of one.
///
/// ```
/// use fsa_runtime::config::Network;
///
/// let private: Network = "10.0.0.0/8".parse().unwrap();
/// assert!(private.contains("10.1.2.3".parse().unwrap()));
/// assert!(!private.contains("192.0.2.7".parse().unwrap()));
/// assert!("::1".parse::<Network>().unwrap().contains("::1".parse().unwrap()));
/// assert!("10.0.0.0/33".parse::<Network>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `address` is in this network. An IPv4 address mapped in
    /// IPv6 (`::ffff:10.1.2.3`) is read as the IPv4 address it is.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                leading_bits_match(&network.octets(), &address.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                leading_bits_match(&network.octets(), &address.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `bits` bits of `a` and `b` are equal.
fn leading_bits_match(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = (usize::from(bits / 8), bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.trim().parse().map_err(|_| {
            format!(
                "\"{text}\" is not an IP address or network (write 10.0.0.0/8, 192.0.2.7 or ::1)"
            )
        })?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => match prefix.trim().parse::<u8>() {
                Ok(prefix) if prefix <= bits => prefix,
                _ => return Err(format!("\"{text}\": the prefix length is 0 to {bits}")),
            },
        };
        Ok(Self { address, prefix })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

#[cfg(test)]
mod should {
    use super::*;

    fn network(text: &str) -> Network {
        text.parse().unwrap()
    }

    #[test]
    fn match_the_leading_bits_only() {
        let n = network("192.0.2.128/25");
        assert!(n.contains("192.0.2.200".parse().unwrap()));
        assert!(!n.contains("192.0.2.127".parse().unwrap()));
        assert!(network("0.0.0.0/0").contains("203.0.113.9".parse().unwrap()));
        assert!(!network("0.0.0.0/0").contains("::1".parse().unwrap()));
        assert!(network("2001:db8::/32").contains("2001:db8:1::5".parse().unwrap()));
        assert!(!network("2001:db8::/33").contains("2001:db8:8000::".parse().unwrap()));
        assert!(network("127.0.0.1").contains("::ffff:127.0.0.1".parse().unwrap()));
        assert_eq!(network("10.0.0.0/8").to_string(), "10.0.0.0/8");
    }

    #[test]
    fn refuse_what_is_not_a_network() {
        for bad in [
            "localhost",
            "10.0.0.0/",
            "10.0.0.0/33",
            "::1/129",
            "10.0.0/8",
            "",
        ] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }
}
